"""Troubleshooting (T1) from Rackbeat to Dinero: one invoice by its number, now, never twice."""

from __future__ import annotations

import re

import pytest

from rackdinero_app.extensions import rq
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from tests.jobs import work_off_queue
from tests.transfers import dinero_books as books
from tests.transfers.conftest import ACCOUNT_ID

pytestmark = pytest.mark.redis


@pytest.fixture
def page(client, connection, open_session):
    """The troubleshooting page of the demo account, opened by its Danish user."""
    token = open_session(ACCOUNT_ID)
    form = client.get("/embedded/troubleshooting", query_string={"s": token})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))[1]

    def send(number: str, direction: str = "sales_to_dinero"):
        data = {"s": token, "csrf_token": csrf, "number": number, "direction": direction}
        return client.post("/embedded/troubleshooting", data=data)

    def follow(response) -> str:
        """Run what the page queued, then read where it leads (redirects followed)."""
        assert response.status_code == 303, response.get_data(as_text=True)
        location = response.location
        for _ in range(3):
            work_off_queue()
            answer = client.get(location)
            if answer.status_code != 302:
                return answer.get_data(as_text=True)
            location = answer.location
        raise AssertionError("the page kept redirecting")

    send.follow = follow
    return send


def booked_dinero_invoices(sandboxes) -> list[dict]:
    return [
        invoice
        for invoice in sandboxes.dinero_records("invoices")
        if str(invoice.get("ExternalReference", "")).startswith(f"rackbeat:{ACCOUNT_ID}:")
    ]


def test_an_invoice_skipped_while_the_integration_was_off_is_sent_now(
    sandboxes, connection, change_settings, transfer_now, page
):
    change_settings(customer_integration_enabled=False)
    assert transfer_now(EntityKind.CUSTOMER_INVOICE, "1001").state == TransferState.SKIPPED
    change_settings(customer_integration_enabled=True)

    outcome = page.follow(page("1001"))

    assert "Gennemført" in outcome  # succeeded, in the user's Danish
    assert "Åbn i Dinero" in outcome
    assert len(booked_dinero_invoices(sandboxes)) == 1


def test_an_invoice_already_in_dinero_is_not_sent_twice(sandboxes, connection, page):
    page.follow(page("1001"))
    queued_before = rq.queue().count

    again = page("1001")

    assert again.status_code == 200
    assert "er allerede i Dinero" in again.get_data(as_text=True)
    assert rq.queue().count == queued_before
    assert len(booked_dinero_invoices(sandboxes)) == 1


def test_a_setting_that_still_stops_it_is_named(sandboxes, connection, change_settings, page):
    change_settings(customer_integration_enabled=False)

    outcome = page.follow(page("1002"))

    assert "Kundeintegrationen er slået fra" in outcome
    assert booked_dinero_invoices(sandboxes) == []


def test_a_supplier_invoice_is_sent_as_a_purchase_voucher(sandboxes, connection, page):
    before = len(sandboxes.dinero_records("purchase_vouchers"))

    outcome = page.follow(page("5001", "supplier_to_dinero"))

    assert "Gennemført" in outcome
    assert len(sandboxes.dinero_records("purchase_vouchers")) == before + 1


def test_a_number_rackbeat_does_not_have_says_so(sandboxes, connection, page):
    outcome = page.follow(page("999999"))

    assert "blev ikke fundet i Rackbeat" in outcome


@pytest.fixture
def dinero(app, sandboxes):
    books.unhurried(sandboxes.dinero)
    return books.dinero(app)


@pytest.fixture
def app_config(app_config):
    return {**app_config, **books.UNHURRIED}


def test_a_dinero_invoice_is_found_by_its_number_and_imported_once(
    sandboxes, connection, dinero, page
):
    books.switch_to_dinero(connection)
    invoice = books.booked_invoice(dinero)
    number = str(dinero.get_invoice(invoice)["Number"])
    invoices_before = len(sandboxes.rackbeat_account.records["customer_invoices"])

    outcome = page.follow(page(number, "sales_from_dinero"))

    assert "Gennemført" in outcome
    assert f"Salgsfaktura fra Dinero nr. {number}" in outcome
    assert "Åbn i Rackbeat" in outcome
    assert len(sandboxes.rackbeat_account.records["customer_invoices"]) == invoices_before + 1

    again = page.follow(page(number, "sales_from_dinero"))

    assert "findes allerede i Rackbeat som faktura" in again
    assert len(sandboxes.rackbeat_account.records["customer_invoices"]) == invoices_before + 1


def test_a_dinero_number_that_does_not_exist_says_so(sandboxes, connection, dinero, page):
    books.switch_to_dinero(connection)

    outcome = page.follow(page("99999", "sales_from_dinero"))

    assert "Dinero har ingen bogført faktura eller kreditnota nr. 99999" in outcome
