"""The API key fields are one template, shared by activation, "change Dinero connection" and
contract B's onboarding; each page keeps its own label."""

from __future__ import annotations

import re

import flask
import flask_babel

from rackdinero_app.models.enums import ConnectionState


def label(html: str) -> str:
    return re.search(r'<label for="api_key">([^<]*)</label>', html).group(1)


def test_each_page_labels_the_shared_api_key_field(client, make_connection, open_session):
    make_connection(rackbeat_account_id=12345, state=ConnectionState.INSTALLED)
    make_connection(rackbeat_account_id=23456, dinero_organization_id=400555)
    headers = {"Accept-Language": "en"}

    # The launch's user reads Danish; the onboarding speaks the browser's language.
    activation = client.get(
        "/embedded/activation", query_string={"s": open_session(12345)}
    ).get_data(as_text=True)
    change = client.get(
        "/embedded/dinero-connection", query_string={"s": open_session(23456)}
    ).get_data(as_text=True)
    flask.g.pop("embedded", None)  # pytest-flask keeps one app context for the whole test
    flask_babel.refresh()
    begun = client.get("/install/onboarding", query_string={"token": "integration-request-1"})
    onboarding = client.get(begun.location, headers=headers).get_data(as_text=True)

    assert label(activation) == "Dinero API-nøgle"
    assert label(change) == "Ny Dinero API-nøgle"
    assert label(onboarding) == "Dinero API key"
    for page in (activation, change, onboarding):
        assert 'id="organization_id"' in page and 'id="api_key_help"' in page
