"""Where a connection's hourly import stands, for the overview and the Sales settings page:
whether it runs, when it runs next, the run queued or running now, the last finished run (when,
how many imported, how many failed) and what that run reported about vouchers it left alone."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.settings.schedule import next_hourly_import
from rackdinero_app.transfers.context import load_settings
from rackdinero_app.transfers.invoice_import import runs

REPORTED = 20  # records of the last run shown; the rest are counted


@dataclass(frozen=True)
class RunSummary:
    """One run as the user sees it: its counts (found, imported, skipped, failed, waiting,
    deleted, older, seen_before, unstored) and why it stopped, if it did, as a catalogue code
    with parameters."""

    id: int
    state: str
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    counts: dict[str, int]
    message_code: str | None
    message_params: dict[str, Any] | None

    @classmethod
    def of(cls, run: SyncRun) -> RunSummary:
        return cls(
            id=run.id,
            state=run.state.value,
            requested_by=run.requested_by,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            counts={name: int(value) for name, value in (run.counts or {}).items()},
            message_code=run.message_code,
            message_params=run.message_params,
        )

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def imported(self) -> int:
        return self.count("imported")

    @property
    def failed(self) -> int:
        return self.count("failed")


@dataclass(frozen=True)
class Reported:
    """A voucher a run did not import, and why (``reason_code`` is a catalogue code)."""

    label: str | None
    reason_code: str | None
    params: dict[str, Any]


@dataclass(frozen=True)
class ImportStatus:
    importing: bool
    next_run_at: datetime | None
    current: RunSummary | None = None  # queued or running
    last: RunSummary | None = None  # the latest finished run
    reported: list[Reported] = field(default_factory=list)
    reported_total: int = 0


def import_status(connection_id: int, now: datetime) -> ImportStatus:
    """The hourly import of one connection as of ``now`` (aware; the next run is in its zone)."""
    importing = runs.imports(load_settings(connection_id))
    current = runs.open_run(connection_id)
    if current is not None and runs.is_stale(current, now):
        current = None  # it lost its job; the next request closes it
    last = db.session.scalar(
        sa.select(SyncRun)
        .where(
            SyncRun.connection_id == connection_id,
            SyncRun.kind == runs.KIND,
            SyncRun.state.not_in(runs.OPEN_STATES),
        )
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    reported: list[Reported] = []
    total = 0
    if last is not None:
        records = sa.select(SyncRecord).where(SyncRecord.sync_run_id == last.id)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(records.subquery()))
        reported = [
            Reported(record.label, record.reason_code, record.message_params or {})
            for record in db.session.scalars(records.order_by(SyncRecord.id).limit(REPORTED))
        ]
    return ImportStatus(
        importing=importing,
        next_run_at=next_hourly_import(now) if importing else None,
        current=RunSummary.of(current) if current is not None else None,
        last=RunSummary.of(last) if last is not None else None,
        reported=reported,
        reported_total=total,
    )
