"""Which transfers wait, and for what: work whose job was lost (the sweeper enqueues it
again) and work held back while support has paused its connection (resumed with it).

A paused connection keeps receiving: webhooks are stored and become pending transfers as
always, but no worker claims them (``rows.claim`` asks :func:`paused_connections`) and the
sweeper leaves them be, so nothing runs and nothing is lost until support resumes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import TransferState


def lease() -> timedelta:
    """How long a claimed transfer is its worker's before another may take it over."""
    return timedelta(seconds=current_app.config["TRANSFER_LEASE_SECONDS"])


def paused_connections() -> sa.Select:
    """The ids of the connections support has paused (a subquery for ``not_in``)."""
    return sa.select(Connection.id).where(Connection.state == ConnectionState.PAUSED)


def lost_work() -> tuple[Sequence[int], Sequence[int]]:
    """Inbox rows never processed and transfers whose job was lost: pending and due, or left
    running past their lease by a worker that died. A paused connection's pending transfers
    are not lost: they wait for the resume."""
    config = current_app.config
    now = utcnow()
    grace = now - timedelta(seconds=config["SWEEP_GRACE_SECONDS"])
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
                    Transfer.connection_id.not_in(paused_connections()),
                ),
                sa.and_(
                    Transfer.state == TransferState.RUNNING, Transfer.started_at < now - lease()
                ),
            )
        )
    ).all()
    return inbox_ids, transfer_ids


def held_back(connection_id: int) -> Sequence[int]:
    """A connection's pending transfers that are due now: what a resume enqueues at once (a
    later attempt's own time comes, and the sweeper enqueues it then)."""
    now = utcnow()
    return db.session.scalars(
        sa.select(Transfer.id)
        .where(
            Transfer.connection_id == connection_id,
            Transfer.state == TransferState.PENDING,
            sa.or_(Transfer.next_attempt_at.is_(None), Transfer.next_attempt_at <= now),
        )
        .order_by(Transfer.id)
    ).all()
