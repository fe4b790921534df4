"""The hourly import's rows: one ``SyncRun`` (kind hourly_invoice_import) per run and one
``SyncRecord`` per Dinero voucher it reports on.

A run is requested by the schedule or by "Run now", one at a time per connection: pending
(queued) → running (claimed by one job, kept alive by a heartbeat) → succeeded | failed. A run
that lost its job (no heartbeat for ``STALE_AFTER``) is closed when the next one is asked for.
Its ``cursor`` is the changesSince of the next run; its message is a catalogue code with
parameters, its English text in ``message`` for support.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from redis.exceptions import RedisError

from rackdinero_app import jobs
from rackdinero_app.database import insert_or_existing
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncOutcome
from rackdinero_app.models.enums import SyncState
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.messages import Message

KIND = SyncKind.HOURLY_INVOICE_IMPORT
OPEN_STATES = (SyncState.PENDING, SyncState.RUNNING)
# A run that has not shown a sign of life for this long lost its job (a worker killed, Redis
# emptied); the next request closes it. Every voucher and every transfer beats the heart.
STALE_AFTER = timedelta(minutes=10)
REQUEST_LOCK_MS = 10_000


def imports(settings: SettingsSnapshot) -> bool:
    """Whether the hourly import runs: invoices come from Dinero (C5) and the customer
    integration (C1) is on."""
    return (
        settings.customer_integration_enabled
        and settings.invoice_direction == InvoiceDirection.DINERO_TO_RACKBEAT
    )


def importing_connections() -> list[int]:
    """The active connections whose settings ask for the hourly import."""
    return list(
        db.session.scalars(
            sa.select(Connection.id)
            .join(Settings, Settings.connection_id == Connection.id)
            .where(
                Connection.state == ConnectionState.ACTIVE,
                Settings.invoice_direction == InvoiceDirection.DINERO_TO_RACKBEAT,
                Settings.customer_integration_enabled.is_(True),
            )
            .order_by(Connection.id)
        )
    )


def _runs(connection_id: int):
    return sa.select(SyncRun).where(SyncRun.connection_id == connection_id, SyncRun.kind == KIND)


def open_run(connection_id: int) -> SyncRun | None:
    """The connection's queued or running run, if any (a stale one included)."""
    return db.session.scalar(
        _runs(connection_id).where(SyncRun.state.in_(OPEN_STATES)).order_by(SyncRun.id.desc())
    )


def is_stale(run: SyncRun, now: datetime) -> bool:
    last_sign = run.heartbeat_at or run.created_at
    return last_sign is not None and last_sign < now - STALE_AFTER


def request_run(connection_id: int, *, requested_by: str) -> tuple[SyncRun, bool]:
    """Queue a run unless one is queued or running; returns ``(run, created)``. Raises
    ``RedisError`` when the queue cannot be reached (the run is then closed as failed)."""
    lock = f"rackdinero:invoice-import:request:{connection_id}"
    owner = secrets.token_hex(8)
    deadline = time.monotonic() + REQUEST_LOCK_MS / 1000
    # One request at a time per connection, so two presses cannot queue two runs; the lock
    # expires by itself if its holder dies.
    while not rq.redis.set(lock, owner, nx=True, px=REQUEST_LOCK_MS):
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    try:
        db.session.expire_all()
        current = open_run(connection_id)
        if current is not None and is_stale(current, utcnow()):
            finish(current.id, SyncState.FAILED, dict(current.counts or {}), _stopped())
            current = None
        if current is not None:
            return current, False
        run = SyncRun(connection_id=connection_id, kind=KIND, requested_by=requested_by, counts={})
        db.session.add(run)
        db.session.commit()
    finally:
        if rq.redis.get(lock) == owner.encode():
            rq.redis.delete(lock)
    try:
        jobs.enqueue_invoice_import(run.id)
    except RedisError:
        finish(run.id, SyncState.FAILED, {}, _stopped())
        raise
    return run, True


def _stopped() -> Message:
    return Message.of("import_stopped")


def claim(run_id: int) -> bool:
    """Move a queued run to running for this job only (a conditional UPDATE)."""
    now = utcnow()
    result = db.session.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.state == SyncState.PENDING)
        .values(state=SyncState.RUNNING, started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def heartbeat(run_id: int, counts: Mapping[str, Any] | None = None) -> None:
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if counts is not None:
        values["counts"] = dict(counts)
    db.session.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == run_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def store_cursor(run_id: int, cursor: datetime) -> None:
    """Where the next run starts; stored as soon as every voucher of the window has its
    transfer row, so a run that dies while running them still moves the import on."""
    db.session.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == run_id)
        .values(cursor=cursor.isoformat(), heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def finish(
    run_id: int, state: SyncState, counts: Mapping[str, Any], message: Message | None = None
) -> None:
    """Record how the run ended: its counts and, if it has one, its message as a code and
    parameters (and in English)."""
    db.session.rollback()  # whatever the run left in the session is not part of its end
    run = db.session.get(SyncRun, run_id)
    run.state = state
    run.counts = dict(counts)
    run.message = message.text if message is not None else None
    run.message_code = message.code if message is not None else None
    run.message_params = message.json_params() if message is not None else None
    run.finished_at = run.heartbeat_at = utcnow()
    db.session.commit()


def last_cursor(connection_id: int) -> datetime | None:
    """The changesSince the latest run stored for the next one."""
    cursor = db.session.scalar(
        sa.select(SyncRun.cursor)
        .where(
            SyncRun.connection_id == connection_id,
            SyncRun.kind == KIND,
            SyncRun.cursor.is_not(None),
        )
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    return datetime.fromisoformat(cursor) if cursor else None


def import_start(connection_id: int) -> datetime:
    """When the import started: the latest save that set invoices to come from Dinero (from the
    audit trail). Without one (settings written by support or a script), the connection's
    first import run; the very first run then starts now."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.connection_id == connection_id, AuditEntry.action == "settings.updated")
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    for entry in entries:
        change = ((entry.details or {}).get("changes") or {}).get("invoice_direction") or {}
        if change.get("after") == InvoiceDirection.DINERO_TO_RACKBEAT.value:
            return entry.created_at
    first = db.session.scalar(
        sa.select(SyncRun.created_at)
        .where(SyncRun.connection_id == connection_id, SyncRun.kind == KIND)
        .order_by(SyncRun.id)
        .limit(1)
    )
    return first or utcnow()


def report(
    run_id: int,
    kind: EntityKind,
    guid: str,
    label: str,
    reason: Message,
    rackbeat_key: str | None = None,
) -> None:
    """A voucher the run saw but did not import, with the reason the user reads (the
    ``reason_code`` is its catalogue code); once per voucher and run."""
    insert_or_existing(
        SyncRecord(
            sync_run_id=run_id,
            kind=kind,
            dinero_guid=guid,
            label=label[:255],
            outcome=SyncOutcome.SKIPPED,
            reason_code=reason.code,
            message_params=reason.json_params(),
            rackbeat_key=rackbeat_key,
        ),
        lambda: db.session.scalar(
            sa.select(SyncRecord).where(
                SyncRecord.sync_run_id == run_id,
                SyncRecord.kind == kind,
                SyncRecord.dinero_guid == guid,
            )
        ),
    )
    db.session.commit()
