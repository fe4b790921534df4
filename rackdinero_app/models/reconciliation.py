"""The month-end reconciliation (RC1): a run per connection and month, what it found, and the
ledger it read from Dinero (kept so the next run of the month reads only the changes)."""

from __future__ import annotations

import enum
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app.models.base import Base
from rackdinero_app.models.base import ConnectionScoped
from rackdinero_app.models.base import TimestampMixin
from rackdinero_app.models.base import UTCDateTime
from rackdinero_app.models.base import enum_column
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import EntityKind

# A run waits or works in these states; at most one per connection.
OPEN_STATES_SQL = "state IN ('queued', 'running')"


class ReconciliationState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class ReconciliationGroup(enum.StrEnum):
    """Where an invoice lands. ``TWICE`` must stay empty: it is what exactly-once forbids."""

    MATCHED = "matched"
    MISSING = "missing"
    AMOUNT_DIFFERS = "amount_differs"
    UNLINKED = "unlinked"
    TWICE = "twice"


class Reconciliation(ConnectionScoped, TimestampMixin, Base):
    """One reconciliation of a month: its progress while it reads, its counts once done."""

    __tablename__ = "reconciliations"
    __table_args__ = (
        sa.Index(
            "ix_reconciliations_one_open",
            "connection_id",
            unique=True,
            sqlite_where=sa.text(OPEN_STATES_SQL),
            postgresql_where=sa.text(OPEN_STATES_SQL),
        ),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    month: orm.Mapped[date] = orm.mapped_column(sa.Date)  # its first day
    state: orm.Mapped[ReconciliationState] = orm.mapped_column(
        enum_column(ReconciliationState), default=ReconciliationState.QUEUED
    )
    actor_type: orm.Mapped[ActorType] = orm.mapped_column(enum_column(ActorType))
    requested_by: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    # What it reads now ("rackbeat_sales", "rackbeat_supplier", "dinero_sales", "dinero_ledger",
    # "comparing") and how many records it has read so far.
    step: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    records_read: orm.Mapped[int] = orm.mapped_column(default=0)
    counts: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, default=dict)
    dinero_requests: orm.Mapped[int] = orm.mapped_column(default=0)
    rackbeat_requests: orm.Mapped[int] = orm.mapped_column(default=0)
    message_code: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    message_params: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(sa.JSON)
    job_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(128))
    started_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    finished_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)

    @property
    def open(self) -> bool:
        return self.state in (ReconciliationState.QUEUED, ReconciliationState.RUNNING)


class ReconciliationItem(Base):
    """One invoice (or one Dinero voucher of ours) and the group it landed in."""

    __tablename__ = "reconciliation_items"
    __table_args__ = (sa.Index("ix_reconciliation_items_run_group", "reconciliation_id", "group"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    reconciliation_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("reconciliations.id", ondelete="CASCADE")
    )
    group: orm.Mapped[ReconciliationGroup] = orm.mapped_column(enum_column(ReconciliationGroup))
    # customer_invoice, credit_note or supplier_invoice
    kind: orm.Mapped[EntityKind] = orm.mapped_column(enum_column(EntityKind))
    rackbeat_number: orm.Mapped[str | None] = orm.mapped_column(sa.String(128))
    document_date: orm.Mapped[date | None] = orm.mapped_column(sa.Date)
    rackbeat_total: orm.Mapped[Decimal | None] = orm.mapped_column(sa.Numeric(18, 2))
    dinero_total: orm.Mapped[Decimal | None] = orm.mapped_column(sa.Numeric(18, 2))
    # Several when the invoice is in Dinero twice, comma-separated.
    dinero_guid: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    dinero_number: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    dinero_status: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))  # draft | booked
    reason_code: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    reason_params: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(sa.JSON)
    # When a one-click fix acted on it (sent again, draft deleted), and what it did.
    fixed_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    fix: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))


class LedgerSnapshot(ConnectionScoped, Base):
    """The purchase vouchers of a month as Dinero's ledger showed them at ``read_until``:
    Dinero asks that ``/entries`` be read once and then followed with ``/entries/changes``."""

    __tablename__ = "reconciliation_ledgers"
    __table_args__ = (sa.UniqueConstraint("connection_id", "month"),)
    connection_index = False

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    month: orm.Mapped[date] = orm.mapped_column(sa.Date)
    read_until: orm.Mapped[datetime] = orm.mapped_column(UTCDateTime)
    # voucher guid -> {"number", "date", "entries": {entry guid: [account, amount]}}
    vouchers: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, default=dict)
