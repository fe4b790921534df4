"""Each kind of transfer, run in the test process against both sandboxes over loopback."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import EntityLink
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import engine
from rackdinero_app.transfers.identity import dinero_guid
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice

pytestmark = pytest.mark.redis


def test_goods_consumption_is_dated_like_its_invoice(
    sandboxes, connection, transfer_now, change_settings
):
    change_settings(goods_consumption_enabled=True)
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        invoice = create_invoice(
            store,
            sandboxes.rackbeat_account,
            CUSTOMER_INVOICES,
            {
                "customer_id": 1,
                "invoice_date": "2026-10-15",
                "lines": [{"child_id": "100", "quantity": 2}],
            },
            book=True,
            suppress=True,
        )

    sale = transfer_now(EntityKind.CUSTOMER_INVOICE, str(invoice["number"]))
    assert sale.state == TransferState.SUCCEEDED, sale.message
    follow_up = db.session.scalars(
        sa.select(Transfer).where(Transfer.kind == EntityKind.GOODS_CONSUMPTION)
    ).one()
    engine.run_transfer(follow_up.id)

    db.session.expire_all()
    follow_up = db.session.get(Transfer, follow_up.id)
    assert follow_up.state == TransferState.SUCCEEDED, follow_up.message
    (voucher,) = [
        v for v in sandboxes.dinero_records("manual_vouchers") if v["Guid"] == follow_up.dinero_guid
    ]
    assert voucher["VoucherDate"].startswith("2026-10-15")


def test_a_supplier_invoice_without_a_supplier_fails_with_the_fix(
    sandboxes, connection, transfer_now, change_settings
):
    vouchers_before = sandboxes.dinero_records("purchase_vouchers")
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        invoice = sandboxes.rackbeat_account.records["supplier_invoices"][5001]
        invoice["supplier_id"] = None
        invoice["supplier"] = None

    transfer = transfer_now(EntityKind.SUPPLIER_INVOICE, "5001")

    assert (transfer.state, transfer.reason_code) == (TransferState.FAILED, "invalid_record")
    assert "has no supplier in Rackbeat" in transfer.message
    assert transfer.attempts == 1
    assert sandboxes.dinero_records("purchase_vouchers") == vouchers_before


def test_products_go_to_dinero_with_only_the_supplier_integration_on(
    sandboxes, connection, transfer_now, change_settings
):
    change_settings(customer_integration_enabled=False)

    transfer = transfer_now(EntityKind.PRODUCT, "300")

    assert transfer.state == TransferState.SUCCEEDED, transfer.message
    numbers = [p["ProductNumber"] for p in sandboxes.dinero_records("products")]
    assert "300" in numbers


def test_a_dinero_record_already_linked_to_another_record_fails_at_once(
    sandboxes, connection, transfer_now, change_settings
):
    # Customer 2's link points at the contact that customer 1's transfer is about to create.
    db.session.add(
        EntityLink(
            connection_id=connection.id,
            kind=EntityKind.CUSTOMER,
            rackbeat_key="2",
            dinero_guid=dinero_guid(connection.id, EntityKind.CUSTOMER, "1"),
        )
    )
    db.session.commit()

    transfer = transfer_now(EntityKind.CUSTOMER, "1")

    assert (transfer.state, transfer.reason_code) == (TransferState.FAILED, "link_conflict")
    assert transfer.attempts == 1
    assert "already linked to Rackbeat customer 2" in transfer.message
