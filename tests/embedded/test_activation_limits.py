"""Attempts to connect a Dinero company are limited per connection and per company id typed,
so a loop of activations cannot be aimed at someone else's Dinero company."""

from __future__ import annotations

import re

import pytest

from rackdinero_app.extensions import rq
from rackdinero_app.models.enums import ConnectionState

TOO_MANY_DA = "Der har været for mange forsøg på at forbinde dette Dinero-firma"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def attempt(client, make_connection, open_session):
    """``attempt(account_id, organization_id)`` posts the activation form of that account."""

    def post(account_id: int, organization_id: str = "400555", api_key: str = "some-key"):
        token = open_session(account_id)
        form = client.get("/embedded/activation", query_string={"s": token}).get_data(as_text=True)
        data = {"s": token, "csrf_token": csrf_of(form), "api_key": api_key}
        return client.post(
            "/embedded/activation", data={**data, "organization_id": organization_id}
        )

    return post


def test_a_connection_gets_five_attempts_in_a_quarter_of_an_hour(make_connection, attempt):
    make_connection(rackbeat_account_id=111, state=ConnectionState.INSTALLED)
    for number in range(5):
        assert attempt(111, organization_id=str(400000 + number)).status_code == 303

    refused = attempt(111, organization_id="400009")

    assert refused.status_code == 429
    assert TOO_MANY_DA in refused.get_data(as_text=True)  # the launch's user reads Danish
    assert rq.queue().count == 5  # the sixth queued no job


def test_a_company_id_gets_its_attempts_whichever_connection_names_it(
    app, make_connection, attempt
):
    app.config["ACTIVATION_LIMIT_PER_ORGANIZATION"] = "2 per hour"
    for account_id in (111, 222, 333):
        make_connection(rackbeat_account_id=account_id, state=ConnectionState.INSTALLED)
    assert attempt(111, organization_id="777777").status_code == 303
    assert attempt(222, organization_id="0777777").status_code == 303  # the same company

    assert attempt(333, organization_id="777777").status_code == 429
    assert attempt(333, organization_id="400555").status_code == 303  # another company is free
    assert rq.queue().count == 3


def test_a_form_with_a_mistake_is_not_counted(make_connection, attempt):
    make_connection(rackbeat_account_id=111, state=ConnectionState.INSTALLED)
    for _ in range(6):
        assert attempt(111, organization_id="not digits").status_code == 422
    assert attempt(111).status_code == 303
