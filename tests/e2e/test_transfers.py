"""Booked invoices travel Rackbeat → Dinero through webhooks, RQ workers and both sandboxes."""

from __future__ import annotations

import pytest
import requests

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.extensions import rq
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from tests.e2e.transfers_setup import book_in_rackbeat
from tests.e2e.transfers_setup import configure
from tests.e2e.transfers_setup import wait_for_transfers
from tests.flows import DEMO_API_KEY
from tests.flows import connection_for
from tests.flows import installed_and_active


@pytest.fixture
def active(stack):
    with requests.Session() as browser:
        installed_and_active(stack, browser)
    with stack.app.app_context():
        connection = connection_for(12345)
        yield connection


def dinero(stack) -> DineroClient:
    with stack.app.app_context():
        return DineroClient.from_config(stack.app.config, 400555, DEMO_API_KEY, rq.redis)


def by_kind(transfers):
    return {transfer.kind: transfer for transfer in transfers}


def test_a_booked_domestic_invoice_reaches_dinero_with_the_articles_accounts(stack, active):
    with stack.app.app_context():
        configure(active.id, goods_consumption_enabled=True)
        book_in_rackbeat(stack, "customer-invoices", 1004)
        transfers = by_kind(wait_for_transfers(2))

        invoice_transfer = transfers[EntityKind.CUSTOMER_INVOICE]
        assert invoice_transfer.state == TransferState.SUCCEEDED, invoice_transfer.message
        client = dinero(stack)
        invoice = client.get_invoice(invoice_transfer.dinero_guid)
        assert invoice["Status"] == "Booked"
        assert str(invoice["Number"]) == invoice_transfer.dinero_number
        assert invoice["Language"] == "da-DK"
        lines = sorted(invoice["ProductLines"], key=lambda line: line["AccountNumber"])
        assert [line["AccountNumber"] for line in lines] == [1000, 1300]
        assert [line["Unit"] for line in lines] == ["parts", "parts"]
        assert float(invoice["TotalExclVat"]) == pytest.approx(4995 + 395)

        consumption = transfers[EntityKind.GOODS_CONSUMPTION]
        assert consumption.state == TransferState.SUCCEEDED, consumption.message
        voucher = client.get_manual_voucher(consumption.dinero_guid)
        assert voucher["Status"] == "Booked"
        line = voucher["Lines"][0]
        assert (line["AccountNumber"], line["BalancingAccountNumber"]) == (2100, 5800)


def test_an_eu_invoice_uses_the_eu_accounts_and_english(stack, active):
    with stack.app.app_context():
        configure(active.id, sales_invoice_status="draft")
        book_in_rackbeat(stack, "customer-invoices", 1005)
        (transfer,) = wait_for_transfers(1)
        assert transfer.state == TransferState.SUCCEEDED, transfer.message
        invoice = dinero(stack).get_invoice(transfer.dinero_guid)
        assert invoice["Status"] == "Draft"
        assert invoice["Language"] == "en-GB"
        assert invoice["Currency"] == "SEK"
        accounts = sorted(line["AccountNumber"] for line in invoice["ProductLines"])
        assert accounts == [1100, 1310]
        assert {line["Unit"] for line in invoice["ProductLines"]} == {"parts", "hours"}


def test_a_booked_supplier_invoice_becomes_a_purchase_voucher(stack, active):
    with stack.app.app_context():
        configure(active.id)
        book_in_rackbeat(stack, "supplier-invoices", 5003)
        (transfer,) = wait_for_transfers(1)
        assert transfer.state == TransferState.SUCCEEDED, transfer.message
        voucher = dinero(stack).get_purchase_voucher(transfer.dinero_guid)
        assert voucher["Status"] == "Booked"
        assert {line["AccountNumber"] for line in voucher["Lines"]} == {2150}


def test_settings_that_exclude_a_transfer_skip_it_with_the_reason(stack, active):
    with stack.app.app_context():
        configure(active.id, customer_integration_enabled=False)
        book_in_rackbeat(stack, "customer-invoices", 1004)
        (transfer,) = wait_for_transfers(1)
        assert transfer.state == TransferState.SKIPPED
        assert "Customer integration is off" in transfer.message


def test_a_missing_mapping_fails_with_the_exact_fix(stack, active):
    from rackdinero_app.extensions import db
    from rackdinero_app.models import AccountMapping

    with stack.app.app_context():
        configure(active.id)
        db.session.query(AccountMapping).filter_by(product_group="2", vat_zone="domestic").delete()
        db.session.commit()
        book_in_rackbeat(stack, "customer-invoices", 1004)
        (transfer,) = wait_for_transfers(1)
        assert transfer.state == TransferState.FAILED
        assert transfer.reason_code == "missing_mapping"
        assert "Services" in transfer.message and "Domestic" in transfer.message


def test_a_credit_note_is_linked_to_the_invoice_it_credits(stack, active):
    from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
    from sandbox.rackbeat.records.invoices import create_invoice

    with stack.app.app_context():
        configure(active.id)
        book_in_rackbeat(stack, "customer-invoices", 1004)
        (invoice_transfer,) = wait_for_transfers(1)
        store = stack.rackbeat.extensions["rackbeat_sandbox"]
        with store.lock:
            credit = create_invoice(
                store,
                store.account(12345),
                CUSTOMER_INVOICES,
                {
                    "customer_id": 2,
                    "credited_invoice_id": 1004,
                    "lines": [{"child_id": "201", "quantity": -1}],
                },
                book=True,
            )
        transfers = wait_for_transfers(2)
        credit_transfer = transfers[-1]
        assert credit_transfer.source_key == str(credit["number"])
        assert credit_transfer.state == TransferState.SUCCEEDED, credit_transfer.message
        note = dinero(stack).get_credit_note(credit_transfer.dinero_guid)
        assert note["CreditNoteFor"] == invoice_transfer.dinero_guid
        assert note["Status"] == "Booked"
        (line,) = note["ProductLines"]
        assert (line["AccountNumber"], float(line["Quantity"])) == (1300, 1.0)
        assert "for invoice 1004" in credit_transfer.message
