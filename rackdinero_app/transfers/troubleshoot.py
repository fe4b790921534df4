"""Troubleshooting (T1): send one invoice by its number now, ahead of queued work.

An invoice already in Dinero is never sent twice: its link says where it is. An invoice whose
transfer failed or was skipped (e.g. an integration was off at the time) is sent again, judged
by today's settings; the transfer's outcome says which setting still stops it, if one does.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from rackdinero_app import jobs
from rackdinero_app.extensions import db
from rackdinero_app.models import EntityLink
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.links import find_link

TRIGGER = "troubleshooting"
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
