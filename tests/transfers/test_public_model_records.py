"""Rackbeat records shaped as its public models show them (no ``total_vat``, ``invoice_date``,
``credited_invoice_id``, line ``unit_id``/``cost_price`` or product ``cost_price``; countries
as names), transferred against both sandboxes over loopback."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import engine
from sandbox.rackbeat import seed
from sandbox.rackbeat.records import public_model
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import SUPPLIER_INVOICES
from sandbox.rackbeat.records.invoices import book_invoice
from sandbox.rackbeat.records.invoices import create_invoice

pytestmark = pytest.mark.redis


def one(records: list[dict], **match) -> dict:
    (found,) = [r for r in records if all(r.get(k) == v for k, v in match.items())]
    return found


def country_of(sandboxes, contact_guid: str) -> str:
    return one(sandboxes.dinero_records("contacts"), ContactGuid=contact_guid)["CountryKey"]


@pytest.fixture
def public_account(sandboxes):
    """The demo account as the public models show it, plus a booked invoice to Norway
    (customer 6, "Norge") and a booked supplier invoice from Norway (supplier 5, "Norge")."""
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    account = sandboxes.rackbeat_account
    with store.lock:
        seed.as_public_model(account)
        book_invoice(store, account, CUSTOMER_INVOICES, 1006, suppress=True)
        bought = create_invoice(
            store,
            account,
            SUPPLIER_INVOICES,
            {"supplier_id": 5, "lines": [{"child_id": "301", "quantity": 40, "line_price": 9.5}]},
            book=True,
            suppress=True,
        )
        public_model.reshape_invoice(account.records["supplier_invoices"][bought["number"]])
    return account


def rackbeat_invoice(sandboxes, resource: str, number: int) -> dict:
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        return copy.deepcopy(sandboxes.rackbeat_account.records[resource][number])


def test_sales_invoices_without_vat_total_date_or_units_land_with_rackbeats_totals(
    sandboxes, public_account, connection, transfer_now
):
    for number, country in ((1001, "DK"), (1006, "NO")):
        invoice = rackbeat_invoice(sandboxes, "customer_invoices", number)
        assert "total_vat" not in invoice and "invoice_date" not in invoice
        assert not any("unit_id" in line or "cost_price" in line for line in invoice["lines"])

        transfer = transfer_now(EntityKind.CUSTOMER_INVOICE, str(number))

        assert transfer.state == TransferState.SUCCEEDED, transfer.message
        dinero = one(sandboxes.dinero_records("invoices"), Guid=transfer.dinero_guid)
        assert dinero["Status"] == "Booked"
        assert Decimal(str(dinero["TotalExclVat"])) == Decimal(str(invoice["total_subtotal"]))
        assert Decimal(str(dinero["TotalInclVat"])) == Decimal(str(invoice["total_total"]))
        assert dinero["Date"].startswith(invoice["booked_at"][:10])
        assert country_of(sandboxes, dinero["ContactGuid"]) == country
    assert public_account.records["customers"][6]["address_country"] == "Norge"


def test_a_supplier_invoice_from_norge_without_the_unshown_fields_lands_with_its_total(
    sandboxes, public_account, connection, transfer_now
):
    number = max(public_account.records["supplier_invoices"])
    invoice = rackbeat_invoice(sandboxes, "supplier_invoices", number)
    assert "invoice_date" not in invoice and "total_vat" not in invoice

    transfer = transfer_now(EntityKind.SUPPLIER_INVOICE, str(number))

    assert transfer.state == TransferState.SUCCEEDED, transfer.message
    voucher = one(sandboxes.dinero_records("purchase_vouchers"), Guid=transfer.dinero_guid)
    totals = {total["Type"]: total["Total"] for total in voucher["VoucherTotals"]}
    assert totals["TotalInclVat"] == invoice["total_total"] == 380.0  # Abroad: no Danish VAT
    assert voucher["VoucherDate"].startswith(invoice["booked_at"][:10])
    assert country_of(sandboxes, voucher["ContactGuid"]) == "NO"


def test_goods_consumption_costs_the_recommended_cost_price_when_no_cost_price_is_sent(
    sandboxes, public_account, connection, transfer_now, change_settings
):
    change_settings(goods_consumption_enabled=True)
    invoice = rackbeat_invoice(sandboxes, "customer_invoices", 1001)

    assert transfer_now(EntityKind.CUSTOMER_INVOICE, "1001").state == TransferState.SUCCEEDED
    follow_up = db.session.scalars(
        sa.select(Transfer).where(Transfer.kind == EntityKind.GOODS_CONSUMPTION)
    ).one()
    engine.run_transfer(follow_up.id)

    db.session.expire_all()
    follow_up = db.session.get(Transfer, follow_up.id)
    assert follow_up.state == TransferState.SUCCEEDED, follow_up.message
    voucher = one(sandboxes.dinero_records("manual_vouchers"), Guid=follow_up.dinero_guid)
    # 2 × table 100 at its recommended cost 2400.00; assembly (a service) is left out.
    assert [line["AmountExclVatValue"] for line in voucher["Lines"]] == [4800.0]
    assert voucher["VoucherDate"].startswith(invoice["booked_at"][:10])


def test_a_credit_note_that_names_no_credited_invoice_becomes_a_credit_note_of_its_own(
    sandboxes, public_account, connection, transfer_now
):
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        credit = create_invoice(
            store,
            public_account,
            CUSTOMER_INVOICES,
            {"customer_id": 2, "lines": [{"child_id": "101", "quantity": -2}]},
            book=True,
            suppress=True,
        )
        public_model.reshape_invoice(public_account.records["customer_invoices"][credit["number"]])

    transfer = transfer_now(EntityKind.CUSTOMER_INVOICE, str(credit["number"]))

    assert transfer.state == TransferState.SUCCEEDED, transfer.message
    assert (
        transfer.message
        == f"Created in Dinero as a booked credit note no. {transfer.dinero_number}."
    )
    note = one(sandboxes.dinero_records("sales_credit_notes"), Guid=transfer.dinero_guid)
    assert note["CreditNoteFor"] is None
    assert note["TotalInclVat"] == -credit["total_total"] == 3237.5
