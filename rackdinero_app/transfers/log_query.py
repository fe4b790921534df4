"""The transfer log's query, shared by the customer's log (embedded) and the support
dashboard's connection page, so both filter and page the same way.

Filters arrive already parsed: each surface decides how to treat a bad value (the customer's
log ignores it, the support page answers 400)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState


@dataclass(frozen=True)
class LogFilters:
    """What the log shows; ``None`` (or an empty search) means "all". Dates are inclusive
    days in UTC on the transfer's creation time."""

    state: TransferState | None = None
    kind: EntityKind | None = None
    direction: TransferDirection | None = None
    search: str = ""
    since: date | None = None
    until: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def log_query(connection_id: int, filters: LogFilters) -> sa.Select:
    """The connection's transfers matching ``filters``, newest first."""
    query = sa.select(Transfer).where(Transfer.connection_id == connection_id)
    if filters.state is not None:
        query = query.where(Transfer.state == filters.state)
    if filters.kind is not None:
        query = query.where(Transfer.kind == filters.kind)
    if filters.direction is not None:
        query = query.where(Transfer.direction == filters.direction)
    if filters.search:
        query = query.where(
            sa.or_(Transfer.source_key == filters.search, Transfer.dinero_number == filters.search)
        )
    if filters.since is not None:
        query = query.where(Transfer.created_at >= _day_start(filters.since))
    if filters.until is not None:
        query = query.where(Transfer.created_at < _day_start(filters.until + timedelta(days=1)))
    return query.order_by(Transfer.created_at.desc(), Transfer.id.desc())


def log_page(
    connection_id: int, filters: LogFilters, page: int, page_size: int
) -> tuple[list[Transfer], bool]:
    """One page of the log (pages count from 1) and whether an older page exists; one query."""
    rows = db.session.scalars(
        log_query(connection_id, filters).limit(page_size + 1).offset((page - 1) * page_size)
    ).all()
    return list(rows[:page_size]), len(rows) > page_size
