"""Running a transfer: inbox → transfer row → run once → succeeded | failed | skipped.

Claiming a row is a conditional UPDATE (``rows.claim``), so two workers never run the same
transfer, and a per-record Redis lock keeps two transfers of the same Rackbeat record apart.
Every error ends an attempt with a reason: transient ones and unexpected ones are tried again
with a backoff until the last attempt, permanent ones fail at once with the fix. The sweeper
re-enqueues work whose job was lost.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator

from flask import current_app

from rackdinero_app import jobs
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import NotDineroPro
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.transfers import rows
from rackdinero_app.transfers import waiting
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.errors import NothingToTransfer
from rackdinero_app.transfers.errors import TransferError
from rackdinero_app.transfers.kinds import handler_for
from rackdinero_app.transfers.messages import CLIENT
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.outcome import Outcome

log = logging.getLogger(__name__)
RUNS_TRANSFERS = (ConnectionState.ACTIVE, ConnectionState.PAUSED)

LOCKED_RETRY_SECONDS = 2.0
# Client errors that retrying cannot mend, by the reason code they leave on the transfer.
PERMANENT_CLIENT_ERRORS: tuple[tuple[type[ClientError], str], ...] = (
    (ValidationFailed, "rejected_by_dinero"),
    (NotDineroPro, "not_dinero_pro"),
    (AuthFailed, "access_refused"),
    (NotFound, "not_found"),
)


def process_inbox_event(inbox_event_id: int) -> int | None:
    """Record the webhook's transfer and run it in this same job.

    Running it here saves a second job per webhook; if this job dies, the row stays pending
    and the sweeper enqueues it."""
    transfer_id, created = rows.record_inbox_event(inbox_event_id)
    if created:
        run_transfer(transfer_id)
    return transfer_id


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
    if transfer is None or transfer.state not in rows.OPEN_STATES:
        return
    with record_lock(transfer) as locked:
        if not locked:
            jobs.enqueue_transfer(transfer_id, delay=LOCKED_RETRY_SECONDS)
            return
        if not rows.claim(transfer_id):
            return
        db.session.expire_all()
        rows.finish(transfer_id, execute(db.session.get(Transfer, transfer_id)))


def execute(transfer: Transfer) -> Outcome:
    """Call the handler for the transfer's kind and turn every error into an outcome."""
    connection = db.session.get(Connection, transfer.connection_id)
    # Claimed before support paused the connection: the attempt that started finishes.
    if connection is None or connection.state not in RUNS_TRANSFERS:
        return Outcome.skipped("connection_not_active", Message.of("connection_not_active"))
    try:
        handler = handler_for(transfer.kind, transfer.direction)
        return handler(TransferJob.for_transfer(transfer, connection))
    except NothingToTransfer as error:
        return Outcome.skipped(error.reason_code, error.explanation)
    except TransferError as error:
        return Outcome.failed(error.reason_code, error.explanation)
    except ClientError as error:
        return _client_outcome(error)
    except Exception:
        # A bug or an outage we did not foresee: the attempt counts, the reason is kept, and
        # the transfer is tried again until its last attempt, then fails. Never left running.
        log.exception("Transfer %s failed unexpectedly", transfer.id)
        return Outcome.retry(Message.of("unexpected_error"), reason_code="unexpected_error")


def client_message(error: ClientError) -> Message:
    """A client error's message, under its code in the catalogue of transfer messages."""
    return Message(CLIENT + error.message_code, error.message_params, error.message)


def _client_outcome(error: ClientError) -> Outcome:
    message = client_message(error)
    if error.is_transient:
        waits = isinstance(error, RateLimited)  # Dinero's own pace: not the transfer's failure
        return Outcome.retry(message, getattr(error, "retry_after", None), counts_attempt=not waits)
    for kind, reason_code in PERMANENT_CLIENT_ERRORS:
        if isinstance(error, kind):
            return Outcome.failed(reason_code, message)
    return Outcome.failed("request_failed", message)


def sweep() -> dict[str, int]:
    """Re-enqueue work whose job was lost: unprocessed inbox rows, due pending transfers and
    transfers abandoned in 'running' by a killed worker (after their last attempt those fail
    instead). Running twice is harmless."""
    gave_up = rows.give_up_abandoned()
    inbox_ids, transfer_ids = waiting.lost_work()
    for inbox_id in inbox_ids:
        jobs.enqueue_inbox_event(inbox_id)
    for transfer_id in transfer_ids:
        jobs.enqueue_transfer(transfer_id)
    return {"inbox_events": len(inbox_ids), "transfers": len(transfer_ids), "gave_up": gave_up}
