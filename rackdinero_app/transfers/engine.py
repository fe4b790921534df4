"""The transfer state machine: inbox → transfer row → run once → succeeded | failed | skipped.

A transfer row is the source of truth; RQ only executes. Claiming a row is a conditional
UPDATE, so two workers never run the same transfer, and a per-record Redis lock keeps two
transfers of the same Rackbeat record apart. Transient failures go back to ``pending`` with a
backoff; the sweeper re-enqueues rows whose job was lost.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import NotDineroPro
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import retry
from rackdinero_app.transfers.errors import NothingToTransfer
from rackdinero_app.transfers.errors import TransferError
from rackdinero_app.transfers.outcome import Outcome

log = logging.getLogger(__name__)

EVENT_KINDS = {
    "customer.created": EntityKind.CUSTOMER,
    "customer.updated": EntityKind.CUSTOMER,
    "supplier.created": EntityKind.SUPPLIER,
    "supplier.updated": EntityKind.SUPPLIER,
    "product.created": EntityKind.PRODUCT,
    "product.updated": EntityKind.PRODUCT,
    "customer_invoice.booked": EntityKind.CUSTOMER_INVOICE,
    "supplier_invoice.booked": EntityKind.SUPPLIER_INVOICE,
}
# These move money: each source record is transferred once, however often it is asked for.
ONCE_PER_RECORD = {
    EntityKind.CUSTOMER_INVOICE,
    EntityKind.SUPPLIER_INVOICE,
    EntityKind.GOODS_CONSUMPTION,
    EntityKind.CREDIT_NOTE,
}
OPEN_STATES = (TransferState.PENDING, TransferState.RUNNING)
JOB = "rackdinero_app.tasks.transfers.run_transfer"


def idempotency_key(kind: EntityKind, source_key: str, trigger: str) -> str:
    if kind in ONCE_PER_RECORD:
        return f"{kind}:{source_key}"
    return f"{kind}:{source_key}:{trigger}"


def enqueue_transfer(transfer_id: int, delay: float = 0.0) -> None:
    """Best effort: if Redis is down the row stays pending and the sweeper enqueues it."""
    try:
        if delay > 0:
            rq.queue().enqueue_in(timedelta(seconds=delay), JOB, transfer_id, job_timeout=300)
        else:
            rq.queue().enqueue(JOB, transfer_id, job_timeout=300)
    except RedisError:
        log.warning("Could not enqueue transfer %s; the sweeper will pick it up", transfer_id)


def request_transfer(
    connection_id: int,
    kind: EntityKind,
    source_key: str,
    *,
    trigger: str,
    inbox_event_id: int | None = None,
) -> tuple[Transfer, bool]:
    """Create the transfer row unless its idempotency key exists; return (row, created)."""
    key = idempotency_key(kind, str(source_key), trigger)
    transfer = Transfer(
        connection_id=connection_id,
        kind=kind,
        source_key=str(source_key),
        idempotency_key=key,
        inbox_event_id=inbox_event_id,
    )
    db.session.add(transfer)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(
            sa.select(Transfer).where(
                Transfer.connection_id == connection_id, Transfer.idempotency_key == key
            )
        )
        return existing, False
    return transfer, True


def record_inbox_event(inbox_event_id: int) -> tuple[int | None, bool]:
    """Turn a received webhook into a transfer row, once; return (transfer id, created)."""
    event = db.session.get(InboxEvent, inbox_event_id)
    if event is None or event.processed_at is not None:
        return None, False
    kind = EVENT_KINDS.get(event.event)
    transfer = None
    created = False
    if kind is not None:
        transfer, created = request_transfer(
            event.connection_id,
            kind,
            event.key,
            trigger=f"event-{event.id}",
            inbox_event_id=event.id,
        )
        event = db.session.get(InboxEvent, inbox_event_id)
    event.processed_at = utcnow()
    db.session.commit()
    return (transfer.id if transfer is not None else None), created


def process_inbox_event(inbox_event_id: int) -> int | None:
    """Record the webhook's transfer and run it in this same job.

    Running it here saves a second job per webhook; if this job dies, the row stays pending
    and the sweeper enqueues it."""
    transfer_id, created = record_inbox_event(inbox_event_id)
    if created:
        run_transfer(transfer_id)
    return transfer_id


def claim(transfer_id: int) -> bool:
    """Atomically move a pending (or abandoned running) transfer to running."""
    lease = timedelta(seconds=current_app.config["TRANSFER_LEASE_SECONDS"])
    now = utcnow()
    claimable = sa.or_(
        Transfer.state == TransferState.PENDING,
        sa.and_(Transfer.state == TransferState.RUNNING, Transfer.started_at < now - lease),
    )
    result = db.session.execute(
        sa.update(Transfer)
        .where(Transfer.id == transfer_id, claimable)
        .values(
            state=TransferState.RUNNING,
            attempts=Transfer.attempts + 1,
            started_at=now,
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


@contextlib.contextmanager
def record_lock(transfer: Transfer) -> Iterator[bool]:
    """One worker at a time per Rackbeat record (e.g. 'created' and 'updated' of a customer)."""
    name = f"rackdinero:record-lock:{transfer.connection_id}:{transfer.kind}:{transfer.source_key}"
    owner = secrets.token_hex(8)
    ttl_ms = current_app.config["TRANSFER_LEASE_SECONDS"] * 1000
    acquired = bool(rq.redis.set(name, owner, nx=True, px=ttl_ms))
    try:
        yield acquired
    finally:
        if acquired and rq.redis.get(name) == owner.encode():
            rq.redis.delete(name)


def run_transfer(transfer_id: int) -> None:
    """Run one transfer to an outcome; safe to call any number of times."""
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or transfer.state not in OPEN_STATES:
        return
    with record_lock(transfer) as locked:
        if not locked:
            enqueue_transfer(transfer_id, delay=2.0)
            return
        if not claim(transfer_id):
            return
        db.session.expire_all()
        transfer = db.session.get(Transfer, transfer_id)
        finish(transfer, execute(transfer))


def execute(transfer: Transfer) -> Outcome:
    """Call the handler for the transfer's kind and turn every error into an outcome."""
    from rackdinero_app.transfers.handlers import HANDLERS
    from rackdinero_app.transfers.handlers import TransferJob

    connection = db.session.get(Connection, transfer.connection_id)
    if connection is None or connection.state != ConnectionState.ACTIVE:
        return Outcome.skipped(
            "connection_not_active",
            "The Dinero integration is not active for this Rackbeat account.",
        )
    try:
        return HANDLERS[transfer.kind](TransferJob.for_transfer(transfer, connection))
    except NothingToTransfer as error:
        db.session.rollback()
        return Outcome.skipped(error.reason_code, error.message)
    except TransferError as error:
        db.session.rollback()
        return Outcome.failed(error.reason_code, error.message)
    except ValidationFailed as error:
        db.session.rollback()
        fields = "; ".join(f"{field}: {message}" for field, message in error.field_errors.items())
        return Outcome.failed("rejected_by_dinero", f"{error.message} {fields}".strip())
    except NotDineroPro as error:
        db.session.rollback()
        return Outcome.failed("not_dinero_pro", error.message)
    except AuthFailed as error:
        db.session.rollback()
        return Outcome.failed("access_refused", error.message)
    except NotFound as error:
        db.session.rollback()
        return Outcome.failed("not_found", error.message)
    except ClientError as error:
        db.session.rollback()
        if error.is_transient:
            return Outcome.retry(error.message, getattr(error, "retry_after", None))
        return Outcome.failed("request_failed", error.message)


def finish(transfer: Transfer, outcome: Outcome) -> None:
    """Record the outcome on the row; schedule the next attempt of a transient failure."""
    transfer = db.session.get(Transfer, transfer.id)
    transfer.message = outcome.message
    transfer.reason_code = outcome.reason_code
    if outcome.dinero_guid:
        transfer.dinero_guid = outcome.dinero_guid
    if outcome.dinero_number:
        transfer.dinero_number = outcome.dinero_number
    delay = None
    if outcome.state == TransferState.PENDING:
        if transfer.attempts >= current_app.config["TRANSFER_MAX_ATTEMPTS"]:
            transfer.state = TransferState.FAILED
            transfer.reason_code = "gave_up"
            transfer.message = (
                f"Dinero could not be reached after {transfer.attempts} attempts "
                f"({outcome.message}). Use Retry when Dinero is available again."
            )
            transfer.finished_at = utcnow()
        else:
            delay = retry.backoff_seconds(
                transfer.attempts,
                outcome.retry_after,
                base=current_app.config["TRANSFER_RETRY_BASE_SECONDS"],
                cap=current_app.config["TRANSFER_RETRY_CAP_SECONDS"],
            )
            transfer.state = TransferState.PENDING
            transfer.reason_code = "retrying"
            transfer.next_attempt_at = utcnow() + timedelta(seconds=delay)
            transfer.message = f"{outcome.message} Trying again automatically."
    else:
        transfer.state = outcome.state
        transfer.finished_at = utcnow()
    db.session.commit()
    if delay is not None:
        enqueue_transfer(transfer.id, delay=delay)
    for follow_up in outcome.follow_ups:
        enqueue_transfer(follow_up)


def retry_failed(transfer_id: int) -> bool:
    """Put a failed transfer back in the queue (the Retry button; audited by the caller)."""
    result = db.session.execute(
        sa.update(Transfer)
        .where(Transfer.id == transfer_id, Transfer.state == TransferState.FAILED)
        .values(
            state=TransferState.PENDING,
            reason_code=None,
            message="Queued again.",
            finished_at=None,
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount:
        enqueue_transfer(transfer_id)
    return bool(result.rowcount)


def sweep() -> dict[str, int]:
    """Re-enqueue work whose job was lost: unprocessed inbox rows, due pending transfers and
    transfers abandoned in 'running' by a killed worker. Running twice is harmless."""
    from rackdinero_app.tasks.transfers import process_inbox_event_job

    config = current_app.config
    now = utcnow()
    grace = now - timedelta(seconds=config["SWEEP_GRACE_SECONDS"])
    lease = now - timedelta(seconds=config["TRANSFER_LEASE_SECONDS"])
    inbox_ids = db.session.scalars(
        sa.select(InboxEvent.id).where(
            InboxEvent.processed_at.is_(None), InboxEvent.received_at < grace
        )
    ).all()
    transfer_ids = db.session.scalars(
        sa.select(Transfer.id).where(
            sa.or_(
                sa.and_(
                    Transfer.state == TransferState.PENDING,
                    Transfer.updated_at < grace,
                    sa.or_(Transfer.next_attempt_at.is_(None), Transfer.next_attempt_at <= now),
                ),
                sa.and_(Transfer.state == TransferState.RUNNING, Transfer.started_at < lease),
            )
        )
    ).all()
    for inbox_id in inbox_ids:
        rq.queue().enqueue(process_inbox_event_job, inbox_id)
    for transfer_id in transfer_ids:
        enqueue_transfer(transfer_id)
    return {"inbox_events": len(inbox_ids), "transfers": len(transfer_ids)}
