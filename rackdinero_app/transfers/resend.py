"""Sending an invoice again after its Dinero voucher was deleted there (RC1's fix).

The app never sends an invoice twice: its link says where it went, and a retry looks its own
identity up before writing. Once the reconciliation has found the voucher gone from Dinero
(a deleted draft, or a booked voucher whose entries were offset), the link points at nothing,
and the invoice is sent again under a new identity round: Dinero keeps a deleted voucher's
Guid, and the deleted purchase voucher still carries the old document.
"""

from __future__ import annotations

import sqlalchemy as sa

from rackdinero_app import jobs
from rackdinero_app.extensions import db
from rackdinero_app.models import EntityLink
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.context import identity_round_of
from rackdinero_app.transfers.troubleshoot import LINKED_AS

TRIGGER = "reconciliation"


def send_with_new_identity(connection_id: int, kind: EntityKind, number: str) -> Transfer:
    """Forget the link to the deleted voucher and send invoice ``number`` again, as a voucher
    of a new identity round. A resend already on its way is left to finish."""
    next_round = identity_round_of(connection_id, kind, number) + 1
    transfer, created = rows.request_transfer(connection_id, kind, number, trigger=TRIGGER)
    if not created and transfer.state in rows.OPEN_STATES:
        return transfer
    db.session.execute(
        sa.delete(EntityLink).where(
            EntityLink.connection_id == connection_id,
            EntityLink.kind.in_(LINKED_AS[kind]),
            EntityLink.rackbeat_key == str(number),
        )
    )
    db.session.execute(
        sa.update(Transfer)
        .where(Transfer.id == transfer.id)
        .values(
            **rows.queued_again(),
            identity_round=next_round,
            retried_at=None,  # the new identity was never written: nothing to look up
            dinero_guid=None,
            dinero_number=None,
            dinero_file_guid=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    jobs.enqueue_transfer(transfer.id, at_front=True)
    db.session.expire_all()
    return db.session.get(Transfer, transfer.id)
