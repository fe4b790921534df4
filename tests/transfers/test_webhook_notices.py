"""Webhooks as Rackbeat really sends them, through the app to Dinero: the body is only
``{"key_name": "number", "key": "…"}`` and carries no delivery id, so identical notices must
not hide a later change, nor move money twice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.install import manifest
from rackdinero_app.models import Transfer
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import engine
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice

pytestmark = pytest.mark.redis


@pytest.fixture
def notify(client, connection):
    """Post a notice the way Rackbeat really does; returns the app's answer."""
    for event in manifest.webhook_events():
        connection.webhook_subscriptions.append(
            WebhookSubscription(event=event, token=f"tok-{event}")
        )
    db.session.commit()

    def post(event: str, key: str):
        return client.post(
            "/webhooks/rackbeat",
            json={"key_name": "number", "key": key},
            headers={
                "Rackbeat-Webhook-Event": event,
                "Rackbeat-Webhook-Token": f"tok-{event}",
                "Rackbeat-Account-Id": str(connection.rackbeat_account_id),
            },
        )

    return post


def run_job_of(response) -> Transfer | None:
    """What the queued job does with an accepted notice, run here; the transfer as it ended."""
    assert response.status_code == 202, response.get_data(as_text=True)
    transfer_id = engine.process_inbox_event(response.json["inbox_event"])
    db.session.expire_all()
    return db.session.get(Transfer, transfer_id)


def transfers_of(kind: EntityKind) -> list[Transfer]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Transfer).where(Transfer.kind == kind)).all()


def ours(sandboxes, table: str, reference: str) -> list[dict]:
    return [r for r in sandboxes.dinero_records(table) if r.get("ExternalReference") == reference]


def booked_invoice(sandboxes, quantity: int = 2) -> str:
    """A new customer invoice, booked in the Rackbeat sandbox without its webhook."""
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        invoice = create_invoice(
            store,
            sandboxes.rackbeat_account,
            CUSTOMER_INVOICES,
            {"customer_id": 1, "lines": [{"child_id": "100", "quantity": quantity}]},
            book=True,
            suppress=True,
        )
    return str(invoice["number"])


def test_an_identical_update_after_the_first_job_ran_brings_the_new_data_to_dinero(
    sandboxes, connection, notify
):
    reference = f"rackbeat:{connection.rackbeat_account_id}:customer:2"
    first = run_job_of(notify("customer.updated", "2"))
    assert first.state == TransferState.SUCCEEDED, first.message
    [contact] = ours(sandboxes, "contacts", reference)
    assert "Jensen & Co ApS" in contact["Name"]

    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        sandboxes.rackbeat_account.records["customers"][2]["company_name"] = "Jensen & Søn ApS"
    second = run_job_of(notify("customer.updated", "2"))

    assert second.state == TransferState.SUCCEEDED, second.message
    assert second.id != first.id
    [contact] = ours(sandboxes, "contacts", reference)
    assert "Jensen & Søn ApS" in contact["Name"]


def test_a_booked_invoice_noticed_before_and_after_its_job_started_moves_money_once(
    sandboxes, connection, notify, change_settings
):
    change_settings(goods_consumption_enabled=True)
    vouchers_before = len(sandboxes.dinero_records("manual_vouchers"))
    number = booked_invoice(sandboxes)

    first = notify("customer_invoice.booked", number)
    assert notify("customer_invoice.booked", number).json == {"status": "duplicate"}
    sale = run_job_of(first)
    assert sale.state == TransferState.SUCCEEDED, sale.message
    [follow_up] = transfers_of(EntityKind.GOODS_CONSUMPTION)
    engine.run_transfer(follow_up.id)
    for _ in range(2):
        assert run_job_of(notify("customer_invoice.booked", number)).id == sale.id

    assert [t.id for t in transfers_of(EntityKind.CUSTOMER_INVOICE)] == [sale.id]
    assert [t.state for t in transfers_of(EntityKind.GOODS_CONSUMPTION)] == [
        TransferState.SUCCEEDED
    ]
    reference = f"rackbeat:{connection.rackbeat_account_id}:customer_invoice:{number}"
    assert len(ours(sandboxes, "invoices", reference)) == 1
    assert len(sandboxes.dinero_records("manual_vouchers")) == vouchers_before + 1
