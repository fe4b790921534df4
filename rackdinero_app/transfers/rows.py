"""The rows of the transfer flow: the webhook inbox and the transfers, and every state change.

A transfer row is the source of truth; RQ only executes. This module is the only one that
writes these rows: it stores a webhook notice (once while it waits for its job), turns it into
its transfer, requests a transfer once per idempotency key, claims a row for one worker (the
notice stops waiting then), records an outcome (scheduling the next attempt of a transient
failure), sends a failed or skipped row again, and closes open rows on uninstall.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from rackdinero_app import jobs
from rackdinero_app.database import insert_or_existing
from rackdinero_app.extensions import db
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import retry
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.outcome import Outcome
from rackdinero_app.transfers.waiting import lease
from rackdinero_app.transfers.waiting import paused_connections

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


def message_columns(message: Message) -> dict[str, Any]:
    """A message as the row keeps it: its code and parameters, to be shown in the reader's
    language, and its English text, for logs and support."""
    return {
        "message": message.text,
        "message_code": message.code,
        "message_params": message.json_params(),
    }


def _set_message(transfer: Transfer, message: Message) -> None:
    for column, value in message_columns(message).items():
        setattr(transfer, column, value)


def idempotency_key(
    kind: EntityKind,
    source_key: str,
    trigger: str,
    direction: TransferDirection = TransferDirection.RACKBEAT_TO_DINERO,
) -> str:
    """``customer_invoice:1001`` once per record for money-moving kinds, else once per trigger;
    work from Dinero to Rackbeat is keyed apart (``from_dinero:customer_invoice:<guid>``)."""
    key = f"{kind}:{source_key}" if kind in ONCE_PER_RECORD else f"{kind}:{source_key}:{trigger}"
    return key if direction == TransferDirection.RACKBEAT_TO_DINERO else f"from_dinero:{key}"


def request_transfer(
    connection_id: int,
    kind: EntityKind,
    source_key: str,
    *,
    trigger: str,
    inbox_event_id: int | None = None,
    direction: TransferDirection = TransferDirection.RACKBEAT_TO_DINERO,
) -> tuple[Transfer, bool]:
    """The transfer row for this work, created and committed unless its idempotency key
    exists; returns ``(row, created)``. Call it with nothing else pending in the session."""
    key = idempotency_key(kind, str(source_key), trigger, direction)
    transfer, created = insert_or_existing(
        Transfer(
            connection_id=connection_id,
            kind=kind,
            direction=direction,
            source_key=str(source_key),
            idempotency_key=key,
            inbox_event_id=inbox_event_id,
        ),
        lambda: db.session.scalar(
            sa.select(Transfer).where(
                Transfer.connection_id == connection_id, Transfer.idempotency_key == key
            )
        ),
    )
    db.session.commit()
    return transfer, created


def receive_webhook(
    connection_id: int, event: str, key: str, body: dict[str, Any], *, handled: bool = False
) -> tuple[InboxEvent, bool]:
    """The inbox row of a webhook notice, added unless an identical one (same event, key and
    body: the SHA-256 of the canonical body) still waits for the job that reads its record,
    which will see this change too; returns ``(row, created)``. Bodies carry no delivery id,
    so once that job has started an identical notice is new work (the started row's
    ``waiting`` is NULL, which the unique key does not compare). ``handled`` marks a notice
    the request deals with itself (uninstall): it waits for nothing. Flushed, not committed."""
    digest = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    identity = {"connection_id": connection_id, "event": event, "key": key, "delivery_hash": digest}
    twin = [getattr(InboxEvent, name) == value for name, value in identity.items()]
    columns = {
        **identity,
        "payload": body,
        "processed_at": utcnow() if handled else None,
        "waiting": sa.null() if handled else True,  # None would get the default
    }

    def waiting_twin() -> InboxEvent | None:
        return db.session.scalar(sa.select(InboxEvent).where(*twin, InboxEvent.waiting.is_(True)))

    try:
        return insert_or_existing(InboxEvent(**columns), waiting_twin)
    except IntegrityError:  # the twin's job started between our insert and our look-up
        return insert_or_existing(InboxEvent(**columns), waiting_twin)


def record_inbox_event(inbox_event_id: int) -> tuple[int | None, bool]:
    """Turn a received webhook into a transfer row, once; return ``(transfer id, created)``.
    A notice that starts no transfer of its own (an event of no kind, or a money-moving record
    whose transfer exists) stops waiting here; others wait until their transfer is claimed."""
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
    if transfer is None or transfer.inbox_event_id != event.id:
        event.waiting = None
    event.processed_at = utcnow()
    db.session.commit()
    return (transfer.id if transfer is not None else None), created


def claim(transfer_id: int) -> bool:
    """Atomically move a pending (or abandoned running) transfer to running; counts an attempt.
    The webhook notice it came from stops waiting in the same transaction. A paused
    connection's transfers are not claimed: they stay pending until support resumes it."""
    now = utcnow()
    claimable = sa.or_(
        Transfer.state == TransferState.PENDING,
        sa.and_(
            Transfer.state == TransferState.RUNNING,
            Transfer.started_at < now - lease(),
            Transfer.attempts < current_app.config["TRANSFER_MAX_ATTEMPTS"],
        ),
    )
    result = db.session.execute(
        sa.update(Transfer)
        .where(
            Transfer.id == transfer_id,
            claimable,
            Transfer.connection_id.not_in(paused_connections()),
        )
        .values(
            state=TransferState.RUNNING,
            attempts=Transfer.attempts + 1,
            started_at=now,
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        notice = sa.select(Transfer.inbox_event_id).where(Transfer.id == transfer_id)
        _stop_waiting(InboxEvent.id == notice.scalar_subquery())
    db.session.commit()
    return result.rowcount == 1


def _stop_waiting(*where: Any) -> None:
    """The work these notices waited for has started (or is closed): an identical notice is
    new work from now on. Committed with the claim, so a notice either finds its twin still
    waiting (and the coming read sees its change) or arrives once the read has started."""
    db.session.execute(
        sa.update(InboxEvent)
        .where(InboxEvent.waiting.is_(True), *where)
        .values(waiting=None)
        .execution_options(synchronize_session=False)
    )


def remember(
    transfer_id: int,
    *,
    dinero_guid: str | None = None,
    reason_code: str | None = None,
    dinero_file_guid: str | None = None,
) -> None:
    """Record at once what a running attempt learned, so it survives the attempt: the Dinero
    object it created, the document it uploaded, or that Dinero may have saved a write it did
    not confirm."""
    values = {
        "dinero_guid": dinero_guid,
        "reason_code": reason_code,
        "dinero_file_guid": dinero_file_guid,
    }
    db.session.execute(
        sa.update(Transfer)
        .where(Transfer.id == transfer_id)
        .values({name: value for name, value in values.items() if value is not None})
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def out_of_attempts(transfer: Transfer) -> bool:
    return transfer.attempts >= current_app.config["TRANSFER_MAX_ATTEMPTS"]


def finish(transfer_id: int, outcome: Outcome) -> None:
    """Record the outcome on the row; schedule the next attempt of a transient failure, or
    give up after the last one; then start the transfers the outcome asks for."""
    db.session.rollback()  # whatever the attempt left in the session is not part of its outcome
    transfer = db.session.get(Transfer, transfer_id)
    _set_message(transfer, outcome.message)
    transfer.reason_code = outcome.reason_code
    if outcome.dinero_guid:
        transfer.dinero_guid = outcome.dinero_guid
    if outcome.dinero_number:
        transfer.dinero_number = outcome.dinero_number
    delay = None
    if outcome.state == TransferState.PENDING and not outcome.counts_attempt:
        # The claim counted it; give it back, but remember that an attempt ran (it may have
        # written before it was told to wait), so the next one looks its write up first.
        transfer.attempts = max(transfer.attempts - 1, 0)
        transfer.retried_at = transfer.retried_at or utcnow()
    if outcome.state == TransferState.PENDING and out_of_attempts(transfer):
        _give_up(transfer, outcome.message)
    elif outcome.state == TransferState.PENDING:
        delay = retry.backoff_seconds(
            transfer.attempts,
            outcome.retry_after,
            base=current_app.config["TRANSFER_RETRY_BASE_SECONDS"],
            cap=current_app.config["TRANSFER_RETRY_CAP_SECONDS"],
        )
        transfer.state = TransferState.PENDING
        transfer.next_attempt_at = utcnow() + timedelta(seconds=delay)
        _set_message(transfer, Message.of("retrying", reason=outcome.message))
    else:
        transfer.state = outcome.state
        transfer.finished_at = utcnow()
    db.session.commit()
    if delay is not None:
        _remember_job(transfer_id, jobs.enqueue_transfer(transfer_id, delay=delay))
    for follow_up in outcome.follow_ups:
        jobs.enqueue_transfer(follow_up)


def _give_up(transfer: Transfer, last_error: Message) -> None:
    transfer.state = TransferState.FAILED
    transfer.reason_code = "gave_up"
    _set_message(transfer, Message.of("gave_up", attempts=transfer.attempts, reason=last_error))
    transfer.finished_at = utcnow()


SENDABLE_AGAIN = (TransferState.FAILED, TransferState.SKIPPED)


def queued_again() -> dict[str, Any]:
    """The columns of a transfer put back in the queue with a fresh set of attempts."""
    return {
        "state": TransferState.PENDING,
        "attempts": 0,
        "reason_code": None,
        "finished_at": None,
        "next_attempt_at": None,
        **message_columns(Message.of("queued_again")),
    }


def send_again(transfer_id: int, *, at_front: bool = False) -> bool:
    """Put a failed or skipped transfer back in the queue with a fresh set of attempts (Retry,
    Send again, troubleshooting; audited by the caller). It is judged by the settings of now: a
    transfer skipped while an integration was off is sent if it is on. ``retried_at`` tells
    the next attempt that earlier ones ran."""
    result = db.session.execute(
        sa.update(Transfer)
        .where(Transfer.id == transfer_id, Transfer.state.in_(SENDABLE_AGAIN))
        .values(**queued_again(), retried_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount:
        jobs.enqueue_transfer(transfer_id, at_front=at_front)
    return bool(result.rowcount)


def _remember_job(transfer_id: int, job_id: str | None) -> None:
    """The job that will run a transfer's next attempt, so it can be cancelled on uninstall."""
    if job_id is not None:
        db.session.execute(
            sa.update(Transfer)
            .where(Transfer.id == transfer_id)
            .values(job_id=job_id)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def close_open_transfers(connection_id: int, reason_code: str, message: Message) -> int:
    """Skip every transfer of a connection that has not finished (on uninstall) and cancel
    their waiting jobs; returns how many were closed. Commits with the caller's transaction."""
    open_rows = sa.and_(Transfer.connection_id == connection_id, Transfer.state.in_(OPEN_STATES))
    jobs.cancel(
        [
            job_id
            for job_id in db.session.scalars(sa.select(Transfer.job_id).where(open_rows))
            if job_id
        ]
    )
    _stop_waiting(InboxEvent.connection_id == connection_id)  # after a reinstall, all is new
    result = db.session.execute(
        sa.update(Transfer)
        .where(open_rows)
        .values(
            state=TransferState.SKIPPED,
            reason_code=reason_code,
            **message_columns(message),
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def give_up_abandoned() -> int:
    """Fail the transfers left running past their lease after their last attempt (their
    worker died each time) instead of claiming them again; returns how many."""
    max_attempts = current_app.config["TRANSFER_MAX_ATTEMPTS"]
    result = db.session.execute(
        sa.update(Transfer)
        .where(
            Transfer.state == TransferState.RUNNING,
            Transfer.started_at < utcnow() - lease(),
            Transfer.attempts >= max_attempts,
        )
        .values(
            state=TransferState.FAILED,
            reason_code="gave_up",
            **message_columns(Message.of("gave_up_abandoned", attempts=max_attempts)),
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount
