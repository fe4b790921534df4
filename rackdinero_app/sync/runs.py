"""A connection's start syncs as the pages see them: ask for a preview, start it, cancel it.

One start sync at a time per connection: a preview is refused while another run is open
(previewing, ready, pending or running), checked under a short Redis lock so two clicks cannot
both pass. Every step a person takes is audited.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from rackdinero_app import audit
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRun
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncState
from rackdinero_app.sync.progress import empty_preview
from rackdinero_app.sync.progress import run_counts

OPEN_STATES = (SyncState.PREVIEWING, SyncState.READY, SyncState.PENDING, SyncState.RUNNING)
# States a job works in: a slice may claim the run in these.
WORKING_STATES = (SyncState.PREVIEWING, SyncState.PENDING, SyncState.RUNNING)
FINISHED_STATES = (SyncState.SUCCEEDED, SyncState.FAILED, SyncState.CANCELLED)
_LOCK_MS = 5000


class SyncRefused(Exception):
    """The step cannot be taken now; ``reason`` says which rule refused it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _runs(connection_id: int):
    return sa.select(SyncRun).where(
        SyncRun.connection_id == connection_id, SyncRun.kind == SyncKind.START_SYNC
    )


def latest_run(connection_id: int) -> SyncRun | None:
    """The connection's newest start sync, whatever its state."""
    return db.session.scalar(_runs(connection_id).order_by(SyncRun.id.desc()).limit(1))


def get_run(connection_id: int, run_id: int) -> SyncRun | None:
    """One of the connection's start syncs (another connection's run is not found)."""
    return db.session.scalar(_runs(connection_id).where(SyncRun.id == run_id))


def _open_run(connection_id: int) -> SyncRun | None:
    return db.session.scalar(_runs(connection_id).where(SyncRun.state.in_(OPEN_STATES)))


def _settings(connection_id: int) -> Settings:
    row = db.session.scalar(sa.select(Settings).where(Settings.connection_id == connection_id))
    if row is None:
        row = Settings(connection_id=connection_id)
        db.session.add(row)
    return row


def request_preview(connection: Connection, actor: str | audit.Staff) -> SyncRun:
    """Open a new start sync in ``previewing``; its preview job is the caller's to enqueue.

    Raises ``SyncRefused("open")`` while another start sync of the connection is open."""
    lock = f"rackdinero:start-sync:open:{connection.id}"
    owner = secrets.token_hex(8)
    if not rq.redis.set(lock, owner, nx=True, px=_LOCK_MS):
        raise SyncRefused("open")
    try:
        if _open_run(connection.id) is not None:
            raise SyncRefused("open")
        run = SyncRun(
            connection_id=connection.id,
            kind=SyncKind.START_SYNC,
            state=SyncState.PREVIEWING,
            requested_by=audit.name_of(actor),
            counts={},
            preview=empty_preview(),
        )
        db.session.add(run)
        settings = _settings(connection.id)
        if settings.start_sync != StartSyncChoice.REQUESTED:
            settings.start_sync = StartSyncChoice.REQUESTED
        db.session.flush()
        audit.record_step(connection, actor, "start_sync.preview_requested", {"run": run.id})
        db.session.commit()
        return run
    except Exception:
        db.session.rollback()
        raise
    finally:
        if rq.redis.get(lock) == owner.encode():
            rq.redis.delete(lock)


def start(connection: Connection, run_id: int, actor: str | audit.Staff) -> SyncRun:
    """Start a previewed run (ready → pending), its totals taken from the preview.

    Raises ``SyncRefused("not_ready")`` unless the run is ready."""
    run = get_run(connection.id, run_id)
    if run is None:
        raise SyncRefused("not_found")
    result = db.session.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == run.id, SyncRun.state == SyncState.READY)
        .values(state=SyncState.PENDING, counts=run_counts(run.preview or {}), cursor=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise SyncRefused("not_ready")
    audit.record_step(connection, actor, "start_sync.started", {"run": run.id})
    db.session.commit()
    db.session.refresh(run)
    return run


def cancel(connection: Connection, run_id: int, actor: str | audit.Staff) -> SyncRun:
    """Cancel an open run. One no job works on (ready, or pending not yet claimed) ends at
    once; one a job works on is asked to stop, and its job ends it ``cancelled``, keeping what
    it did. Raises ``SyncRefused("finished")`` for a run that has ended."""
    run = get_run(connection.id, run_id)
    if run is None:
        raise SyncRefused("not_found")
    now = utcnow()
    idle = db.session.execute(
        sa.update(SyncRun)
        .where(SyncRun.id == run.id, SyncRun.state.in_((SyncState.READY, SyncState.PENDING)))
        .values(state=SyncState.CANCELLED, cancel_requested=True, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if idle.rowcount != 1:
        asked = db.session.execute(
            sa.update(SyncRun)
            .where(SyncRun.id == run.id, SyncRun.state.in_(WORKING_STATES))
            .values(cancel_requested=True)
            .execution_options(synchronize_session=False)
        )
        if asked.rowcount != 1:
            db.session.rollback()
            raise SyncRefused("finished")
    audit.record_step(connection, actor, "start_sync.cancelled", {"run": run.id})
    db.session.commit()
    db.session.refresh(run)
    return run


def _paused() -> sa.Select:
    return sa.select(Connection.id).where(Connection.state == ConnectionState.PAUSED)


def working(connection_id: int) -> list[tuple[int, SyncState]]:
    """The connection's runs a job should work on (what resuming it enqueues again)."""
    rows = db.session.execute(
        sa.select(SyncRun.id, SyncRun.state).where(
            SyncRun.connection_id == connection_id,
            SyncRun.kind == SyncKind.START_SYNC,
            SyncRun.state.in_(WORKING_STATES),
        )
    ).all()
    return [(run_id, state) for run_id, state in rows]


def stalled(stale_seconds: float) -> list[tuple[int, SyncState]]:
    """Runs a job should be working on but none is: the heartbeat is older than
    ``stale_seconds`` (the worker died), or there is none and the run has waited that long
    (its job was lost before it started, e.g. with Redis). A paused connection's runs wait
    for its resume instead."""
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    rows = db.session.execute(
        sa.select(SyncRun.id, SyncRun.state).where(
            SyncRun.kind == SyncKind.START_SYNC,
            SyncRun.state.in_(WORKING_STATES),
            SyncRun.connection_id.not_in(_paused()),
            sa.or_(
                SyncRun.heartbeat_at < cutoff,
                sa.and_(SyncRun.heartbeat_at.is_(None), SyncRun.updated_at < cutoff),
            ),
        )
    ).all()
    db.session.commit()
    return [(run_id, state) for run_id, state in rows]
