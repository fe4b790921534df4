"""The job's hold on a run: claimed by a conditional UPDATE, kept by a heartbeat.

``claim`` takes a run no job holds (pending, or previewing/running with no heartbeat, or one
older than the stale limit: its worker died) and writes the job's own heartbeat. Every later
write is guarded by that heartbeat (``WHERE heartbeat_at = <ours>``), so a job that was too slow
and lost the run to another one stops at its next write instead of working alongside it. The
answer of each write says whether someone asked to cancel.

A record's outcome, its entity link, the run's counts and cursor are written in one
transaction: a resumed run never handles a record twice and its counts match its rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from rackdinero_app import audit
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import EntityLink
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import SyncState
from rackdinero_app.sync import progress
from rackdinero_app.sync.rules import Decision
from rackdinero_app.sync.rules import Item
from rackdinero_app.sync.rules import Reason
from rackdinero_app.sync.translation import in_english

SYSTEM = "start-sync"


class LostLease(Exception):
    """Another job holds the run now, or it has ended: this job stops."""


@dataclass
class Lease:
    run_id: int
    connection_id: int
    state: SyncState
    beat: datetime
    cursor: str | None
    counts: dict[str, Any]
    preview: dict[str, Any]
    cancel_requested: bool

    @property
    def previewing(self) -> bool:
        return self.state == SyncState.PREVIEWING

    def _write(self, **values: Any) -> bool:
        """Write ``values`` and a fresh heartbeat if the run is still ours (else ``LostLease``);
        returns whether a cancel was asked for. The caller commits."""
        now = utcnow()
        heartbeat = values.pop("heartbeat_at", now)
        flag = db.session.execute(
            sa.update(SyncRun)
            .where(SyncRun.id == self.run_id, SyncRun.heartbeat_at == self.beat)
            .values(heartbeat_at=heartbeat, **values)
            .returning(SyncRun.cancel_requested)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if flag is None:
            db.session.rollback()
            raise LostLease()
        self.beat = heartbeat
        return bool(flag)

    def record(self, item: Item, decision: Decision, cursor: str, link: bool) -> bool:
        """Store what became of one item (and its link), advance the counts; returns whether
        a cancel was asked for. Raises ``sa.exc.IntegrityError`` (rolled back, nothing
        stored) when the link was taken meanwhile."""
        counts = {kind: dict(entry) for kind, entry in self.counts.items()}
        progress.add_to_run(counts, item.kind.value, decision.outcome.value)
        reason = decision.reason
        beat = self.beat
        # The guarded write first: a job that lost the run stops before it stores anything.
        cancel = self._write(counts=counts, cursor=cursor)
        try:
            db.session.execute(
                sa.insert(SyncRecord).values(
                    sync_run_id=self.run_id,
                    kind=item.kind,
                    dinero_guid=item.guid,
                    label=item.label,
                    outcome=decision.outcome,
                    reason_code=reason.code if reason else None,
                    message_params=dict(reason.params) if reason else None,
                    rackbeat_key=decision.rackbeat_key,
                )
            )
            if link:
                db.session.execute(
                    sa.insert(EntityLink).values(
                        connection_id=self.connection_id,
                        kind=item.kind,
                        rackbeat_key=decision.rackbeat_key,
                        dinero_guid=item.guid,
                    )
                )
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            self.beat = beat
            raise
        self.counts = counts
        return cancel

    def advance(self, cursor: str | None, preview: Mapping[str, Any] | None = None) -> bool:
        """Move the cursor on (with the preview's tally so far); returns whether a cancel
        was asked for."""
        values: dict[str, Any] = {"cursor": cursor}
        if preview is not None:
            values["preview"] = dict(preview)
        cancel = self._write(**values)
        db.session.commit()
        self.cursor = cursor
        return cancel

    def release(self) -> None:
        """Let the next slice's job claim the run (the heartbeat is cleared)."""
        self._write(heartbeat_at=None)
        db.session.commit()

    def finish(self, state: SyncState, reason: Reason | None = None, **values: Any) -> None:
        """End the run (or its preview, as ``ready``) and audit it as the system."""
        message = {}
        if reason is not None:
            message = {
                "message_code": reason.code,
                "message_params": dict(reason.params),
                "message": in_english(reason.code, dict(reason.params)),
            }
        if state in (SyncState.SUCCEEDED, SyncState.FAILED, SyncState.CANCELLED):
            values["finished_at"] = utcnow()
            if not self.previewing:
                values["counts"] = progress.finished(self.counts)
        self._write(heartbeat_at=None, state=state, **message, **values)
        connection = db.session.get(Connection, self.connection_id)
        audit.record(
            connection,
            ActorType.SYSTEM,
            SYSTEM,
            "start_sync.preview_finished" if self.previewing else "start_sync.finished",
            details={
                "run": self.run_id,
                "state": state.value,
                "reason": message.get("message_code"),
            },
        )
        db.session.commit()


def claim(run_id: int, stale_seconds: float, states: tuple[SyncState, ...]) -> Lease | None:
    """Hold the run for this job if it is in one of ``states``; ``None`` when another job
    holds it or it is not open for this work. Taking over a run whose worker died is
    audited."""
    run = db.session.get(SyncRun, run_id)
    if run is None or run.state not in states:
        db.session.rollback()
        return None
    now = utcnow()
    took_over = run.heartbeat_at is not None
    state = SyncState.PREVIEWING if run.state == SyncState.PREVIEWING else SyncState.RUNNING
    values: dict[str, Any] = {"state": state, "heartbeat_at": now}
    if run.started_at is None and state == SyncState.RUNNING:
        values["started_at"] = now
    claimed = db.session.execute(
        sa.update(SyncRun)
        .where(
            SyncRun.id == run_id,
            SyncRun.state == run.state,
            sa.or_(
                SyncRun.heartbeat_at.is_(None),
                SyncRun.heartbeat_at < now - timedelta(seconds=stale_seconds),
            ),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    if took_over:
        audit.record(
            db.session.get(Connection, run.connection_id),
            ActorType.SYSTEM,
            SYSTEM,
            "start_sync.resumed",
            details={"run": run_id, "cursor": run.cursor},
        )
    db.session.commit()
    db.session.refresh(run)
    lease = Lease(
        run_id=run.id,
        connection_id=run.connection_id,
        state=run.state,
        beat=now,
        cursor=run.cursor,
        counts={kind: dict(entry) for kind, entry in (run.counts or {}).items()},
        preview=dict(run.preview or {}),
        cancel_requested=run.cancel_requested,
    )
    db.session.commit()
    return lease
