"""Troubleshooting (T1) over HTTP with both sandboxes, real Redis and a worker process: each of
the three kinds by its number, an invoice already transferred, and one skipped while the
customer integration was off."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
import requests
import sqlalchemy as sa

from rackdinero_app.clients.dinero import SalesFilter
from rackdinero_app.extensions import db
from rackdinero_app.models import Settings
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import TransferState
from tests.e2e.transfers_setup import book_in_rackbeat
from tests.e2e.transfers_setup import configure
from tests.e2e.transfers_setup import wait_for_transfers
from tests.flows import connection_for
from tests.flows import form_fields
from tests.flows import installed_and_active
from tests.transfers import dinero_books as books


@pytest.fixture
def active(stack):
    """The demo account installed and activated over HTTP; its browser and session token."""
    browser = requests.Session()
    page = installed_and_active(stack, browser)
    token = re.search(r"[?&]s=([^&]+)", page.url).group(1)
    with stack.app.app_context():
        configure(connection_for(12345).id)
    yield browser, token
    browser.close()


def set_settings(stack, **values) -> None:
    with stack.app.app_context():
        db.session.execute(sa.update(Settings).values(**values))
        db.session.commit()


def troubleshoot(stack, active, number: str, direction: str = "sales_to_dinero") -> str:
    """Send ``number`` from the troubleshooting page; follow the page until it has an outcome."""
    browser, token = active
    form = browser.get(f"{stack.app_url}/embedded/troubleshooting", params={"s": token})
    fields = {**form_fields(form.text), "number": number, "direction": direction}
    page = browser.post(f"{stack.app_url}/embedded/troubleshooting", data=fields)
    deadline = time.monotonic() + 60
    while "data-status-url" in page.text:
        assert time.monotonic() < deadline, page.text
        time.sleep(0.3)
        page = browser.get(page.url)
    return unescape(page.text)


def dinero_invoices_of_account(stack) -> list[dict]:
    return [
        invoice
        for invoice in books.dinero(stack.app).iter_invoices(
            SalesFilter(fields="Guid,ExternalReference")
        )
        if str(invoice.get("ExternalReference") or "").startswith("rackbeat:12345:")
    ]


def test_an_invoice_skipped_while_the_integration_was_off_is_sent_by_its_number(stack, active):
    set_settings(stack, customer_integration_enabled=False)
    book_in_rackbeat(stack, "customer-invoices", 1004)
    with stack.app.app_context():
        (skipped,) = wait_for_transfers(1)
    assert skipped.state == TransferState.SKIPPED
    set_settings(stack, customer_integration_enabled=True)

    outcome = troubleshoot(stack, active, "1004")

    assert "Gennemført" in outcome, outcome
    assert "Åbn i Dinero" in outcome
    assert len(dinero_invoices_of_account(stack)) == 1

    again = troubleshoot(stack, active, "1004")

    assert "Faktura 1004 er allerede i Dinero" in again
    assert len(dinero_invoices_of_account(stack)) == 1


def test_a_setting_that_still_stops_an_invoice_is_named(stack, active):
    set_settings(stack, customer_integration_enabled=False)

    outcome = troubleshoot(stack, active, "1001")

    assert "Kundeintegrationen er slået fra" in outcome
    assert dinero_invoices_of_account(stack) == []


def test_a_supplier_invoice_is_sent_by_its_number(stack, active):
    outcome = troubleshoot(stack, active, "5001", "supplier_to_dinero")

    assert "Gennemført" in outcome, outcome
    assert "købsbilag" in outcome


def test_a_dinero_invoice_is_imported_by_its_number(stack, active):
    set_settings(stack, invoice_direction=InvoiceDirection.DINERO_TO_RACKBEAT)
    dinero = books.dinero(stack.app)
    invoice = books.booked_invoice(dinero)
    number = str(dinero.get_invoice(invoice)["Number"])

    outcome = troubleshoot(stack, active, number, "sales_from_dinero")

    assert "Gennemført" in outcome, outcome
    assert f"Salgsfaktura fra Dinero nr. {number}" in outcome
    rackbeat = stack.rackbeat.extensions["rackbeat_sandbox"].accounts[12345]
    notes = [r.get("note") or "" for r in rackbeat.records["customer_invoices"].values()]
    assert sum(f"[dinero:{invoice.lower()}]" in note for note in notes) == 1
