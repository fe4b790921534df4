"""The rows that make transfers exactly-once: links, the webhook inbox, transfers, sync runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app.models.base import Base
from rackdinero_app.models.base import ConnectionScoped
from rackdinero_app.models.base import TimestampMixin
from rackdinero_app.models.base import UTCDateTime
from rackdinero_app.models.base import enum_column
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncOutcome
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState


class EntityLink(ConnectionScoped, TimestampMixin, Base):
    """A Rackbeat record ↔ the Dinero object made from it; unique in both directions."""

    __tablename__ = "entity_links"
    connection_index = False
    __table_args__ = (
        sa.UniqueConstraint("connection_id", "kind", "rackbeat_key"),
        sa.UniqueConstraint("connection_id", "kind", "dinero_guid"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    kind: orm.Mapped[EntityKind] = orm.mapped_column(enum_column(EntityKind))
    rackbeat_key: orm.Mapped[str] = orm.mapped_column(sa.String(128))
    dinero_guid: orm.Mapped[str] = orm.mapped_column(sa.String(36))
    dinero_number: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))


class InboxEvent(ConnectionScoped, Base):
    """One received webhook notice. A repeat of a notice still waiting for its job hits the
    unique key and does no new work; one arriving after that job started is new work."""

    __tablename__ = "inbox_events"
    # A notice waits (``waiting`` is True) until the job that reads its record starts; then it
    # is NULL, which the unique key does not compare, so a later identical notice is new work.
    __table_args__ = (
        sa.UniqueConstraint("connection_id", "event", "key", "delivery_hash", "waiting"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    event: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    key: orm.Mapped[str] = orm.mapped_column(sa.String(128))
    # SHA-256 of the canonical body: identical deliveries share it, real changes do not.
    delivery_hash: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    payload: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON)
    received_at: orm.Mapped[datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    processed_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    waiting: orm.Mapped[bool | None] = orm.mapped_column(default=True)


class Transfer(ConnectionScoped, TimestampMixin, Base):
    """One unit of work and the source of truth for its outcome (RQ only executes it)."""

    __tablename__ = "transfers"
    connection_index = False
    __table_args__ = (
        # Makes "transfer invoice 1001" happen once however often it is asked for.
        sa.UniqueConstraint("connection_id", "idempotency_key"),
        sa.Index("ix_transfers_state_next_attempt", "state", "next_attempt_at"),
        sa.Index("ix_transfers_connection_created", "connection_id", "created_at"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    kind: orm.Mapped[EntityKind] = orm.mapped_column(enum_column(EntityKind))
    direction: orm.Mapped[TransferDirection] = orm.mapped_column(
        enum_column(TransferDirection), default=TransferDirection.RACKBEAT_TO_DINERO
    )
    source_key: orm.Mapped[str] = orm.mapped_column(sa.String(128))
    idempotency_key: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    state: orm.Mapped[TransferState] = orm.mapped_column(
        enum_column(TransferState), default=TransferState.PENDING
    )
    attempts: orm.Mapped[int] = orm.mapped_column(default=0)
    reason_code: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    # What the user reads, in English (for logs and support) and as a catalogue code with its
    # parameters (transfers/catalogue.py), which the transfer log shows in the reader's
    # language; rows written before the code existed have only the English text.
    message: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    message_code: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    message_params: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(sa.JSON)
    dinero_guid: orm.Mapped[str | None] = orm.mapped_column(sa.String(36))
    dinero_number: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    # The supplier invoice's document in Dinero's file archive: the purchase voucher's exact
    # identity (``vouchers/purchase/fileguid/{guid}``), kept from the upload on.
    dinero_file_guid: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    inbox_event_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("inbox_events.id", ondelete="SET NULL")
    )
    job_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(128))
    next_attempt_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    started_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    finished_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    # When someone last pressed Retry (attempts start again from 0), or when an attempt told to
    # wait by Dinero (429) was given back: either way the next attempt knows that earlier ones
    # ran (and may have written to Dinero), and looks its write up before writing.
    retried_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    # 0 until the reconciliation found this invoice's Dinero voucher deleted (or replaced a
    # draft) and sent it again: each round gives the voucher a new identity, since Dinero keeps
    # a deleted voucher's Guid (``transfers.identity``).
    identity_round: orm.Mapped[int] = orm.mapped_column(default=0, server_default="0")


class SyncRun(ConnectionScoped, TimestampMixin, Base):
    """A start sync (S1) or an hourly invoice import (C5) with its cursor and progress. The
    cursor is where the run resumes (a start sync) or the changesSince of the next run (the
    hourly import)."""

    __tablename__ = "sync_runs"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    kind: orm.Mapped[SyncKind] = orm.mapped_column(enum_column(SyncKind))
    state: orm.Mapped[SyncState] = orm.mapped_column(
        enum_column(SyncState), default=SyncState.PENDING
    )
    cursor: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    progress: orm.Mapped[int] = orm.mapped_column(default=0)
    total: orm.Mapped[int | None] = orm.mapped_column()
    # Progress per entity kind, for the progress bar:
    # {"customer": {"total": 120, "done": 40, "created": 30, "linked": 5, "skipped": 5}, ...}
    # Every record's own outcome and reason is a SyncRecord row.
    counts: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, default=dict)
    message: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    # Why a run stopped, as a code with parameters (sync/reasons.py), shown in the reader's
    # language; ``message`` keeps the English text for logs and support.
    message_code: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    message_params: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(sa.JSON)
    # What the start sync would do, before it is started: {kind: {outcome: n}, "reasons": …}.
    preview: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, default=dict)
    requested_by: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    cancel_requested: orm.Mapped[bool] = orm.mapped_column(default=False)
    # Written as the run works; a running run whose heartbeat is old lost its worker.
    heartbeat_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    started_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    finished_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)


class SyncRecord(Base):
    """One Dinero record a sync run handled, and what became of it. Unique per run, so a run
    resumed after a crash never handles a record twice; the skip report is read from here."""

    __tablename__ = "sync_records"
    __table_args__ = (
        sa.UniqueConstraint("sync_run_id", "kind", "dinero_guid"),
        sa.Index("ix_sync_records_run_outcome", "sync_run_id", "outcome"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    sync_run_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("sync_runs.id", ondelete="CASCADE")
    )
    kind: orm.Mapped[EntityKind] = orm.mapped_column(enum_column(EntityKind))
    dinero_guid: orm.Mapped[str] = orm.mapped_column(sa.String(36))
    # How a person recognises the record in the report: its number and name in Dinero.
    label: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    outcome: orm.Mapped[SyncOutcome] = orm.mapped_column(enum_column(SyncOutcome))
    reason_code: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    message_params: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(sa.JSON)
    rackbeat_key: orm.Mapped[str | None] = orm.mapped_column(sa.String(128))
    created_at: orm.Mapped[datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
