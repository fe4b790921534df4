"""Support pauses a connection: webhooks still arrive and wait as pending transfers, nothing
reaches Dinero, nothing is given up or lost; after the resume each one is transferred once."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import SyncRun
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.sync import runner
from rackdinero_app.sync import runs
from rackdinero_app.transfers import engine
from rackdinero_app.transfers import rows
from rackdinero_app.transfers import waiting
from tests.jobs import work_off_queue
from tests.support.staff_login import make_staff  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import operator  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import post
from tests.transfers.conftest import ACCOUNT_ID
from tests.transfers.test_webhook_notices import booked_invoice
from tests.transfers.test_webhook_notices import notify  # noqa: F401  (a fixture)
from tests.transfers.test_webhook_notices import ours

pytestmark = pytest.mark.redis
REASON = "Customer is changing their chart of accounts today"


def state_of(connection) -> ConnectionState:
    db.session.expire_all()
    return db.session.get(Connection, connection.id).state


def transfers() -> list[Transfer]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Transfer).order_by(Transfer.id)).all()


def staff_actions() -> list[tuple[str, str | None]]:
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.actor_type == "staff", AuditEntry.connection_id.is_not(None))
        .order_by(AuditEntry.id)
    )
    return [(entry.action, entry.reason) for entry in entries]


def test_paused_work_waits_and_is_transferred_once_after_the_resume(
    app,
    sandboxes,
    connection,
    notify,  # noqa: F811
    operator,  # noqa: F811
):
    app.config["SWEEP_GRACE_SECONDS"] = 0
    base = f"/support/connections/{connection.id}"  # the worker below ends this session
    number = booked_invoice(sandboxes, quantity=3)
    reference = f"rackbeat:{ACCOUNT_ID}:customer_invoice:{number}"
    paused = post(operator, f"{base}/pause", reason=REASON)
    assert paused.status_code == 303, paused.get_data(as_text=True)
    assert state_of(connection) == ConnectionState.PAUSED

    assert notify("customer_invoice.booked", number).status_code == 202
    assert notify("customer.updated", "2").status_code == 202
    work_off_queue()  # the notices' jobs: each becomes a transfer, and no worker claims it
    waiting_rows = transfers()
    assert {(t.kind, t.source_key) for t in waiting_rows} == {
        (EntityKind.CUSTOMER_INVOICE, number),
        (EntityKind.CUSTOMER, "2"),
    }
    assert {(t.state, t.attempts) for t in waiting_rows} == {(TransferState.PENDING, 0)}
    assert engine.sweep() == {"inbox_events": 0, "transfers": 0, "gave_up": 0}
    assert rq.queue().count == 0
    assert ours(sandboxes, "invoices", reference) == []

    resumed = post(operator, f"{base}/resume", reason=REASON)
    assert resumed.status_code == 303
    work_off_queue()

    done = [t for t in transfers() if t.kind in (EntityKind.CUSTOMER_INVOICE, EntityKind.CUSTOMER)]
    assert {t.state for t in done} == {TransferState.SUCCEEDED}, [t.message for t in done]
    assert len(ours(sandboxes, "invoices", reference)) == 1
    assert staff_actions() == [("connection.paused", REASON), ("connection.resumed", REASON)]
    resumed_entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "connection.resumed")
    )
    assert resumed_entry.details == {"waiting_transfers": 2}


def test_an_attempt_claimed_before_the_pause_finishes(sandboxes, connection, transfer_now):
    transfer, _ = rows.request_transfer(connection.id, EntityKind.CUSTOMER, "2", trigger="test")
    assert rows.claim(transfer.id)
    db.session.get(Connection, connection.id).state = ConnectionState.PAUSED
    db.session.commit()
    rows.finish(transfer.id, engine.execute(db.session.get(Transfer, transfer.id)))
    assert [t.state for t in transfers()] == [TransferState.SUCCEEDED]


def test_a_pending_transfer_of_a_paused_connection_is_not_claimed(connection):
    transfer, _ = rows.request_transfer(connection.id, EntityKind.CUSTOMER, "2", trigger="test")
    db.session.get(Connection, connection.id).state = ConnectionState.PAUSED
    db.session.commit()
    engine.run_transfer(transfer.id)
    assert [(t.state, t.attempts) for t in transfers()] == [(TransferState.PENDING, 0)]
    assert waiting.held_back(connection.id) == [transfer.id]


def test_a_start_sync_waits_while_paused_and_is_enqueued_by_the_resume(
    app,
    sandboxes,
    connection,
    operator,  # noqa: F811
):
    run = SyncRun(
        connection_id=connection.id,
        kind=SyncKind.START_SYNC,
        state=SyncState.PENDING,
        requested_by="test",
        counts={},
    )
    db.session.add(run)
    db.session.commit()
    post(operator, f"/support/connections/{connection.id}/pause", reason=REASON)

    assert runner.run_slice(run.id) is False
    db.session.expire_all()
    assert db.session.get(SyncRun, run.id).state == SyncState.RUNNING  # claimed, then let go
    assert db.session.get(SyncRun, run.id).heartbeat_at is None
    assert runs.stalled(0) == []  # the resume check leaves it be while paused

    post(operator, f"/support/connections/{connection.id}/resume", reason=REASON)
    queued = [(job.func_name, job.args) for job in rq.queue().jobs]
    assert ("rackdinero_app.tasks.sync.run_start_sync", (run.id,)) in queued


def test_while_paused_the_customer_sees_why_and_cannot_start_work(
    client,
    sandboxes,
    connection,
    open_session,
    operator,  # noqa: F811
):
    post(operator, f"/support/connections/{connection.id}/pause", reason=REASON)
    token = open_session(ACCOUNT_ID)
    overview = client.get("/embedded/", query_string={"s": token}).get_data(as_text=True)
    assert 'id="paused"' in overview
    assert "Nothing is lost" in overview
    assert ">Paused<" in overview and ">Active<" not in overview

    form = client.get("/embedded/troubleshooting", query_string={"s": token})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))[1]
    data = {"s": token, "csrf_token": csrf, "number": "1001", "direction": "sales_to_dinero"}
    refused = client.post("/embedded/troubleshooting", data=data)
    assert refused.status_code == 409
    assert transfers() == []
    settings = client.get("/embedded/settings/sales", query_string={"s": token})
    assert settings.status_code == 200  # settings stay open: a pause is often for fixing them


def test_pause_and_resume_refuse_the_wrong_state_and_a_missing_reason(
    sandboxes,
    connection,
    operator,  # noqa: F811
):
    base = f"/support/connections/{connection.id}"
    assert post(operator, f"{base}/resume", reason=REASON).status_code == 409
    assert post(operator, f"{base}/pause", reason="").status_code == 400
    assert state_of(connection) == ConnectionState.ACTIVE
    assert post(operator, f"{base}/pause", reason=REASON).status_code == 303
    assert post(operator, f"{base}/pause", reason=REASON).status_code == 409
    assert state_of(connection) == ConnectionState.PAUSED
    assert staff_actions() == [("connection.paused", REASON)]
