"""Starting a reconciliation and finding the ones there are (RC1).

One reconciliation waits or runs per connection at a time, held by a partial unique index, so
two clicks start one. A run whose worker died is taken to have stopped once it has not moved
for ``STALE_AFTER``, and a new one may start.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta

import sqlalchemy as sa
from redis.exceptions import RedisError

from rackdinero_app import jobs
from rackdinero_app.audit import record
from rackdinero_app.database import insert_or_existing
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import ReconciliationItem
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.reconciliation import ReconciliationGroup
from rackdinero_app.models.reconciliation import ReconciliationState
from rackdinero_app.reconcile.compare import Month

STALE_AFTER = timedelta(minutes=15)
MONTHS_OFFERED = 13
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")  # ASCII only: \d would take any script's digits
GROUPS = tuple(ReconciliationGroup)


def month_of(raw: str, today: date) -> date | None:
    """The first day of ``YYYY-MM``, if it is one of the months offered (this one and the
    twelve before it)."""
    match = _MONTH.match(raw or "")
    if match is None:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    if not 1 <= number <= 12:
        return None
    first = date(year, number, 1)
    return first if first in months_offered(today) else None


def months_offered(today: date) -> list[date]:
    """This month and the twelve before it, newest first."""
    months, first = [], today.replace(day=1)
    for _ in range(MONTHS_OFFERED):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def default_month(today: date) -> date:
    """Last month: what month-end means on most days."""
    return months_offered(today)[1]


def span(first: date) -> Month:
    following = (first + timedelta(days=32)).replace(day=1)
    return Month(first, following - timedelta(days=1))


def request_run(
    connection: Connection,
    month: date,
    actor_type: ActorType,
    actor: str,
    *,
    reason: str | None = None,
) -> tuple[Reconciliation, bool]:
    """Start reconciling ``month``, or return the run already waiting or running;
    ``(run, started)``. Raises ``RedisError`` (nothing kept) when the job cannot be queued.
    ``reason``: why support started it (kept in the audit entry)."""
    _close_stalled(connection.id)
    run, created = insert_or_existing(
        Reconciliation(
            connection_id=connection.id,
            month=month,
            actor_type=actor_type,
            requested_by=actor,
            counts={},
        ),
        lambda: open_run(connection.id),
    )
    if not created:
        return run, False
    db.session.commit()  # the job reads the row
    try:
        run.job_id = jobs.enqueue_reconciliation(run.id)
    except RedisError:
        db.session.delete(run)
        db.session.commit()
        raise
    record(
        connection,
        actor_type,
        actor,
        "reconciliation_started",
        reason=reason,
        details={"month": month.strftime("%Y-%m"), "reconciliation": run.id},
    )
    db.session.commit()
    return run, True


def open_run(connection_id: int) -> Reconciliation | None:
    return db.session.scalar(
        sa.select(Reconciliation).where(
            Reconciliation.connection_id == connection_id,
            Reconciliation.state.in_((ReconciliationState.QUEUED, ReconciliationState.RUNNING)),
        )
    )


def _close_stalled(connection_id: int) -> None:
    run = open_run(connection_id)
    if run is not None and utcnow() - run.updated_at > STALE_AFTER:
        fail(run, "rc_stopped", {})


def fail(run: Reconciliation, code: str, params: dict) -> None:
    run.state = ReconciliationState.FAILED
    run.message_code, run.message_params = code, params
    run.finished_at = utcnow()
    db.session.commit()


def latest(connection_id: int) -> Reconciliation | None:
    """The connection's newest reconciliation, whatever its state."""
    return db.session.scalar(
        sa.select(Reconciliation)
        .where(Reconciliation.connection_id == connection_id)
        .order_by(Reconciliation.id.desc())
        .limit(1)
    )


def latest_finished(connection_ids: list[int]) -> dict[int, Reconciliation]:
    """Each connection's newest finished reconciliation (one query, for the support list)."""
    if not connection_ids:
        return {}
    newest = (
        sa.select(sa.func.max(Reconciliation.id))
        .where(
            Reconciliation.connection_id.in_(connection_ids),
            Reconciliation.state == ReconciliationState.FINISHED,
        )
        .group_by(Reconciliation.connection_id)
    )
    runs = db.session.scalars(sa.select(Reconciliation).where(Reconciliation.id.in_(newest)))
    return {run.connection_id: run for run in runs}


def own_run(connection_id: int, run_id: int) -> Reconciliation | None:
    run = db.session.get(Reconciliation, run_id)
    return run if run is not None and run.connection_id == connection_id else None


def items(run: Reconciliation, group: ReconciliationGroup | None = None):
    """The run's lines, a group's or all, in a stable order."""
    query = sa.select(ReconciliationItem).where(ReconciliationItem.reconciliation_id == run.id)
    if group is not None:
        query = query.where(ReconciliationItem.group == group)
    return db.session.scalars(query.order_by(ReconciliationItem.id))


def first_items(run: Reconciliation, group: ReconciliationGroup, limit: int):
    """The first ``limit`` lines of a group, for a page (the CSV has them all)."""
    query = (
        sa.select(ReconciliationItem)
        .where(ReconciliationItem.reconciliation_id == run.id, ReconciliationItem.group == group)
        .order_by(ReconciliationItem.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def is_clean(run: Reconciliation) -> bool:
    """Finished with everything matched."""
    counts = run.counts or {}
    return run.state == ReconciliationState.FINISHED and not any(
        counts.get(group.value) for group in GROUPS if group != ReconciliationGroup.MATCHED
    )
