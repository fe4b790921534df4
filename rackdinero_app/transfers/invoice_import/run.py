"""One hourly import run for one connection (C5): Dinero's changed invoices become transfers.

1. List the booked invoices, then the booked credit notes, changed in the window (``window``),
   oldest number first, and request one transfer per voucher (direction Dinero → Rackbeat,
   idempotency key ``from_dinero:<kind>:<guid>``), so a voucher seen again is not imported again.
   Drafts are never listed: ``statusFilter`` names every booked status (Booked alone misses the
   paid ones). Deleted vouchers are listed on their own (``deletedOnly``) and reported; nothing
   is ever deleted in Rackbeat.
2. Store the next run's cursor: everything in the window now has its transfer row.
3. Run the new transfers in this job, invoices before the credit notes that credit them.
   A transfer this job does not get to (it was stopped) is a pending row the sweeper runs.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.clients.dinero.client import SalesFilter
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import SyncRun
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import engine
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.context import load_settings
from rackdinero_app.transfers.invoice_import import runs
from rackdinero_app.transfers.invoice_import.window import Window
from rackdinero_app.transfers.invoice_import.window import created_before
from rackdinero_app.transfers.kinds.common import CUSTOMERS_OFF
from rackdinero_app.transfers.links import owner_of
from rackdinero_app.transfers.mapping.from_dinero import BOOKED_STATUSES
from rackdinero_app.transfers.mapping.from_dinero import voucher_label
from rackdinero_app.transfers.messages import Message

log = logging.getLogger(__name__)

TRIGGER = "hourly"
# ``fields`` must ask for Number and Status (the defaults leave them out) and the change times.
LIST_FIELDS = "Guid,Number,Status,ContactName,Description,Date,CreatedAt,UpdatedAt,DeletedAt"
HEARTBEAT_SECONDS = 10.0
TALLY = {
    TransferState.SUCCEEDED: "imported",
    TransferState.SKIPPED: "skipped",
    TransferState.FAILED: "failed",
    TransferState.PENDING: "waiting",
    TransferState.RUNNING: "waiting",
}


def run_import(run_id: int) -> None:
    """Run a queued import to its end; safe to call twice (only one call claims it)."""
    if not runs.claim(run_id):
        return
    run = db.session.get(SyncRun, run_id)
    counts: Counter[str] = Counter()
    try:
        connection = db.session.get(Connection, run.connection_id)
        if (off := _why_not(connection)) is not None:
            runs.finish(run_id, SyncState.SUCCEEDED, counts, off)
            return
        dinero = connection_dinero_client(connection)
        start = runs.import_start(connection.id)
        window = Window.open(runs.last_cursor(connection.id), start, utcnow())
        heart = Heartbeat(run_id, counts)
        transfer_ids = _store_changes(connection, dinero, window, start, heart)
        runs.store_cursor(run_id, window.next_cursor())
        for transfer_id in transfer_ids:
            engine.run_transfer(transfer_id)
            heart.beat()
        counts.update(_outcomes(transfer_ids))
        runs.finish(run_id, SyncState.SUCCEEDED, counts)
    except ClientError as error:
        runs.finish(run_id, SyncState.FAILED, counts, engine.client_message(error))
    except Exception:
        log.exception("Invoice import run %s failed unexpectedly", run_id)
        runs.finish(run_id, SyncState.FAILED, counts, Message.of("unexpected_error"))


def _why_not(connection: Connection) -> Message | None:
    """Why this connection does not import (its settings changed since the run was queued)."""
    if connection.state != ConnectionState.ACTIVE:
        return Message.of("connection_not_active")
    settings = load_settings(connection.id)
    if settings.invoice_direction != InvoiceDirection.DINERO_TO_RACKBEAT:
        return Message.of("invoices_to_dinero")
    if not settings.customer_integration_enabled:
        return CUSTOMERS_OFF
    return None


class Heartbeat:
    """Shows the run is alive (and how far it got) every few seconds, not on every step."""

    def __init__(self, run_id: int, counts: Counter[str]) -> None:
        self.run_id, self.counts, self.last = run_id, counts, time.monotonic()

    def beat(self) -> None:
        if time.monotonic() - self.last >= HEARTBEAT_SECONDS:
            runs.heartbeat(self.run_id, self.counts)
            self.last = time.monotonic()


def _filters(window: Window, *, deleted: bool = False) -> SalesFilter:
    if deleted:  # deleted vouchers are drafts (Dinero deletes nothing booked): no status filter
        return SalesFilter(fields=LIST_FIELDS, changes_since=window.since, deleted_only=True)
    return SalesFilter(
        fields=LIST_FIELDS,
        status_filter=",".join(BOOKED_STATUSES),
        changes_since=window.since,
        sort="VoucherNumber",
        sort_order="ascending",
    )


def _store_changes(
    connection: Connection, dinero: DineroClient, window: Window, start, heart: Heartbeat
) -> list[int]:
    """Request a transfer for every booked voucher changed in the window and report the rest;
    returns the transfers created now, invoices first."""
    created_ids: list[int] = []
    listings = (
        (EntityKind.CUSTOMER_INVOICE, dinero.iter_invoices),
        (EntityKind.CREDIT_NOTE, dinero.iter_credit_notes),
    )
    for kind, listing in listings:
        for voucher in listing(_filters(window)):
            heart.counts["found"] += 1
            guid = str(voucher["Guid"]).lower()
            if created_before(voucher, start):
                heart.counts["older"] += 1
                reason = Message.of("created_before_import", document=voucher_label(kind, voucher))
                runs.report(heart.run_id, kind, guid, _label(voucher), reason)
            elif (transfer_id := _request(connection.id, kind, guid, window, voucher)) is None:
                heart.counts["unstored"] += 1
            elif transfer_id > 0:
                created_ids.append(transfer_id)
            else:
                heart.counts["seen_before"] += 1
            heart.beat()
        for voucher in listing(_filters(window, deleted=True)):
            heart.counts["deleted"] += 1
            _report_deleted(connection.id, heart.run_id, kind, voucher)
            heart.beat()
    return created_ids


def _request(
    connection_id: int, kind: EntityKind, guid: str, window: Window, voucher
) -> int | None:
    """The id of the transfer created for the voucher, -1 when it had one already, ``None``
    when it could not be stored (the cursor then stays at or before it)."""
    try:
        transfer, created = rows.request_transfer(
            connection_id,
            kind,
            guid,
            trigger=TRIGGER,
            direction=TransferDirection.DINERO_TO_RACKBEAT,
        )
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("Could not record the import of Dinero %s %s", kind, guid, exc_info=True)
        window.not_stored(voucher)
        return None
    return transfer.id if created else -1


def _report_deleted(connection_id: int, run_id: int, kind: EntityKind, voucher) -> None:
    guid = str(voucher["Guid"]).lower()
    document = voucher_label(kind, voucher)
    link = owner_of(connection_id, kind, guid)
    if link is None:
        reason = Message.of("deleted_in_dinero", document=document)
    else:
        reason = Message.of("deleted_in_dinero_kept", document=document, number=link.rackbeat_key)
    runs.report(run_id, kind, guid, _label(voucher), reason, link.rackbeat_key if link else None)


def _label(voucher: Mapping[str, Any]) -> str:
    """How the report names a voucher: its number (drafts have none), customer and text."""
    parts = (voucher.get("Number") or None, voucher.get("ContactName"), voucher.get("Description"))
    return " · ".join(str(part) for part in parts if part)


def _outcomes(transfer_ids: list[int]) -> Counter[str]:
    """How the transfers this run created ended (so far): imported, skipped, failed, waiting."""
    db.session.expire_all()
    outcomes: Counter[str] = Counter()
    for start in range(0, len(transfer_ids), 500):
        states = db.session.scalars(
            sa.select(Transfer.state).where(Transfer.id.in_(transfer_ids[start : start + 500]))
        )
        outcomes.update(TALLY[state] for state in states)
    return outcomes
