"""Hourly import runs, in the test process against both sandboxes: what a window lists, what it
imports once, what it reports, where the next run starts, one run at a time, and importing one
voucher by its number."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import engine
from rackdinero_app.transfers import invoice_import
from rackdinero_app.transfers.invoice_import import runs
from rackdinero_app.transfers.mapping.from_dinero import dinero_voucher_of
from tests.transfers import dinero_books as books

pytestmark = pytest.mark.redis


@pytest.fixture
def app_config(app_config):
    return {**app_config, **books.UNHURRIED}


@pytest.fixture
def dinero(app, sandboxes):
    books.unhurried(sandboxes.dinero)
    return books.dinero(app)


def run_once(connection) -> SyncRun:
    run, created = invoice_import.request_run(connection.id, requested_by="test")
    assert created
    invoice_import.run_import(run.id)
    db.session.expire_all()
    return db.session.get(SyncRun, run.id)


def imported(sandboxes) -> dict[str, int]:
    """How many Rackbeat invoices name each Dinero voucher."""
    counts: dict[str, int] = {}
    for invoice in sandboxes.rackbeat_account.records["customer_invoices"].values():
        if (guid := dinero_voucher_of(invoice)) is not None:
            counts[guid] = counts.get(guid, 0) + 1
    return counts


def reported(run: SyncRun) -> dict[str, str]:
    records = db.session.scalars(sa.select(SyncRecord).where(SyncRecord.sync_run_id == run.id))
    return {record.dinero_guid: record.reason_code for record in records}


def test_two_windows_import_each_booked_voucher_once_and_report_the_rest(
    sandboxes, connection, dinero
):
    books.switch_to_dinero(connection)
    booked = books.booked_invoice(dinero)
    paid = books.booked_invoice(dinero)
    books.pay_in_full(dinero, paid)
    draft = books.draft_invoice(dinero)
    deleted = books.draft_invoice(dinero)
    books.delete_draft(dinero, deleted)

    first = run_once(connection)

    assert first.state == SyncState.SUCCEEDED, first.message
    assert imported(sandboxes) == {booked: 1, paid: 1}
    assert first.counts["imported"] == 2
    assert first.counts["deleted"] == 1
    demo_books = {"a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"}
    assert reported(first) == {deleted: "deleted_in_dinero"} | {
        guid: "created_before_import" for guid in demo_books
    }
    assert runs.last_cursor(connection.id) is not None

    books.pay_in_full(dinero, booked)  # changed again: listed again, not imported again
    dinero.book_invoice(draft, dinero.get_invoice(draft)["TimeStamp"])
    credit = books.booked_credit_note(dinero, paid)
    second = run_once(connection)

    assert second.state == SyncState.SUCCEEDED, second.message
    assert imported(sandboxes) == {booked: 1, paid: 1, draft: 1, credit: 1}
    assert (second.counts["imported"], second.counts["seen_before"]) == (2, 2)
    assert second.counts.get("failed", 0) == 0


def test_a_run_that_cannot_reach_dinero_fails_and_the_next_starts_where_it_would_have(
    sandboxes, connection, dinero
):
    books.switch_to_dinero(connection)
    first = run_once(connection)
    cursor = runs.last_cursor(connection.id)
    with sandboxes.dinero.test_client() as sandbox:
        sandbox.post("/_sandbox/knobs", json={"error_rate": 1.0})

    failed = run_once(connection)

    assert first.state == SyncState.SUCCEEDED
    assert (failed.state, failed.message_code) == (SyncState.FAILED, "client.server_error")
    assert failed.cursor is None
    assert runs.last_cursor(connection.id) == cursor


def test_one_run_at_a_time_and_a_run_that_lost_its_worker_is_closed(app, connection):
    first, created = invoice_import.request_run(connection.id, requested_by="schedule")
    second, again = invoice_import.request_run(connection.id, requested_by="mette")

    assert (created, again, second.id) == (True, False, first.id)

    db.session.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == first.id)
        .values(state=SyncState.RUNNING, heartbeat_at=utcnow() - timedelta(minutes=11))
    )
    db.session.commit()
    third, created = invoice_import.request_run(connection.id, requested_by="mette")

    db.session.expire_all()
    assert created and third.id != first.id
    stopped = db.session.get(SyncRun, first.id)
    assert (stopped.state, stopped.message_code) == (SyncState.FAILED, "import_stopped")


def test_one_dinero_voucher_is_imported_by_its_number(sandboxes, connection, dinero):
    books.switch_to_dinero(connection)
    invoice = books.booked_invoice(dinero)
    credit = books.booked_credit_note(dinero, invoice)
    invoice_number = str(dinero.get_invoice(invoice)["Number"])
    credit_number = str(dinero.get_credit_note(credit)["Number"])

    asked = invoice_import.request_import_by_number(connection.id, invoice_number)
    credit_asked = invoice_import.request_import_by_number(connection.id, credit_number)
    missing = invoice_import.request_import_by_number(connection.id, "99999")

    assert (asked.transfer.kind, asked.transfer.source_key, asked.created) == (
        EntityKind.CUSTOMER_INVOICE,
        invoice,
        True,
    )
    assert credit_asked.transfer.kind == EntityKind.CREDIT_NOTE
    assert missing.transfer is None
    assert missing.reason.text == "Dinero has no booked invoice or credit note no. 99999."

    engine.run_transfer(asked.transfer.id)
    db.session.expire_all()
    assert asked.transfer.state == TransferState.SUCCEEDED, asked.transfer.message
    again = invoice_import.request_import_by_number(connection.id, invoice_number)
    assert again.transfer is None
    assert again.reason.code == "already_in_rackbeat"
