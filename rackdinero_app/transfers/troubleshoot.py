"""Troubleshooting (T1): send one invoice by its number now, ahead of queued work.

An invoice already in the other system is never sent twice: its link says where it is. An
invoice whose transfer failed or was skipped (e.g. an integration was off at the time) is sent
again, judged by today's settings; the transfer's outcome says which setting still stops it.

A Rackbeat invoice becomes a transfer at once. A Dinero invoice must first be found by its
number, which takes a request to Dinero, so that is a job (``run_dinero_lookup``) whose
progress the page follows in Redis, like an activation attempt.
"""

from __future__ import annotations

import enum
import json
import re
import uuid
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rackdinero_app import jobs
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import EntityLink
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.invoice_import import request_import_by_number
from rackdinero_app.transfers.links import find_link

TRIGGER = "troubleshooting"
# What an invoice number looks like in either system; checked before anything is looked up.
INVOICE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


class Direction(enum.StrEnum):
    """The three things T1 can send (the customer's page and the support dashboard alike)."""

    SALES_TO_DINERO = "sales_to_dinero"
    SUPPLIER_TO_DINERO = "supplier_to_dinero"
    SALES_FROM_DINERO = "sales_from_dinero"


RACKBEAT_KIND = {
    Direction.SALES_TO_DINERO: EntityKind.CUSTOMER_INVOICE,
    Direction.SUPPLIER_TO_DINERO: EntityKind.SUPPLIER_INVOICE,
}
# A Rackbeat sales invoice may have become a Dinero invoice or a credit note.
LINKED_AS = {
    EntityKind.CUSTOMER_INVOICE: (EntityKind.CUSTOMER_INVOICE, EntityKind.CREDIT_NOTE),
    EntityKind.SUPPLIER_INVOICE: (EntityKind.SUPPLIER_INVOICE,),
}


@dataclass(frozen=True)
class Sent:
    """What troubleshooting did: the transfer that runs (or ran) the invoice, and the link
    when the invoice was already in the other system."""

    transfer: Transfer | None
    link: EntityLink | None = None

    @property
    def already_transferred(self) -> bool:
        return self.link is not None


def valid_number(number: str) -> bool:
    """Whether ``number`` can be an invoice number (the form's check, shared by both pages)."""
    return bool(INVOICE_NUMBER.match(number))


def direction_of(raw: str) -> Direction | None:
    """The chosen direction, or None when the form sent something else."""
    try:
        return Direction(raw)
    except ValueError:
        return None


def start(connection_id: int, direction: Direction, number: str) -> Sent | DineroLookup:
    """Send invoice ``number`` now: a Rackbeat invoice at once (``Sent``), a Dinero one by a
    lookup job (``DineroLookup``; raises ``RedisError`` when Redis is down)."""
    if direction == Direction.SALES_FROM_DINERO:
        return start_dinero_lookup(connection_id, number)
    return send_rackbeat_invoice(connection_id, RACKBEAT_KIND[direction], number)


def send_rackbeat_invoice(connection_id: int, kind: EntityKind, number: str) -> Sent:
    """Send Rackbeat invoice ``number`` (a sales or supplier invoice) to Dinero now."""
    for linked_kind in LINKED_AS[kind]:
        link = find_link(connection_id, linked_kind, number)
        if link is not None:
            return Sent(_latest_transfer(connection_id, kind, number), link)
    transfer, created = rows.request_transfer(connection_id, kind, number, trigger=TRIGGER)
    if created:
        jobs.enqueue_transfer(transfer.id, at_front=True)
    elif transfer.state in rows.SENDABLE_AGAIN:
        rows.send_again(transfer.id, at_front=True)
    elif transfer.state == TransferState.PENDING:
        jobs.enqueue_transfer(transfer.id, at_front=True)  # waiting: run it now
    db.session.expire_all()
    return Sent(db.session.get(Transfer, transfer.id))


def _latest_transfer(connection_id: int, kind: EntityKind, number: str) -> Transfer | None:
    return db.session.scalar(
        sa.select(Transfer)
        .where(
            Transfer.connection_id == connection_id,
            Transfer.kind == kind,
            Transfer.source_key == number,
        )
        .order_by(Transfer.id.desc())
        .limit(1)
    )


LOOKUP_TTL_SECONDS = 3600


@dataclass
class DineroLookup:
    """Troubleshooting's search for Dinero invoice ``number``: pending until the job found it
    (``transfer_id``) or could not (``reason``, a message as JSON: code and parameters)."""

    id: str
    connection_id: int
    number: str
    finished: bool = False
    transfer_id: int | None = None
    reason: dict[str, Any] | None = None


def _lookup_key(lookup_id: str) -> str:
    return f"rackdinero:troubleshooting:lookup:{lookup_id}"


def _save(lookup: DineroLookup) -> None:
    rq.redis.set(_lookup_key(lookup.id), json.dumps(asdict(lookup)), ex=LOOKUP_TTL_SECONDS)


def _load(lookup_id: str) -> DineroLookup | None:
    raw = rq.redis.get(_lookup_key(lookup_id))
    return None if raw is None else DineroLookup(**json.loads(raw))


def start_dinero_lookup(connection_id: int, number: str) -> DineroLookup:
    """Ask a job to find Dinero invoice ``number`` and import it (raises ``RedisError``)."""
    lookup = DineroLookup(uuid.uuid4().hex, connection_id, number)
    _save(lookup)
    jobs.enqueue_import_by_number(lookup.id)
    return lookup


def dinero_lookup(lookup_id: str, connection_id: int) -> DineroLookup | None:
    """The lookup, if it exists and is this connection's."""
    lookup = _load(lookup_id)
    return lookup if lookup is not None and lookup.connection_id == connection_id else None


def run_dinero_lookup(lookup_id: str) -> None:
    """Find the Dinero invoice and request its import; one that failed or was skipped before
    is sent again now."""
    lookup = _load(lookup_id)
    if lookup is None or lookup.finished:
        return
    found = request_import_by_number(lookup.connection_id, lookup.number)
    if found.transfer is not None:
        if found.transfer.state in rows.SENDABLE_AGAIN:
            rows.send_again(found.transfer.id, at_front=True)
        lookup.transfer_id = found.transfer.id
    else:
        lookup.reason = {"code": found.reason.code, "params": found.reason.json_params()}
    lookup.finished = True
    _save(lookup)
