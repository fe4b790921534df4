"""Assisted-setup requests ("Ask support to set this up"): made by the customer on the
overview (``embedded/support_request.py``), answered by support (``support/requests.py``).

Both surfaces share this module because neither may import the other. One waiting request
per connection is the database's partial unique index, not a check before the insert, so two
clicks at the same moment make one request."""

from __future__ import annotations

import sqlalchemy as sa

from rackdinero_app import audit
from rackdinero_app.database import insert_or_existing
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import SupportRequest
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.support_request import SupportRequestState as State

WAITING = (State.OPEN, State.IN_PROGRESS)
CLOSED = (State.DONE, State.DECLINED)
# Where support may move a request; a closed one stays closed (the customer asks anew).
TRANSITIONS: dict[State, frozenset[State]] = {
    State.OPEN: frozenset({State.IN_PROGRESS, State.DONE, State.DECLINED}),
    State.IN_PROGRESS: frozenset({State.DONE, State.DECLINED}),
    State.DONE: frozenset(),
    State.DECLINED: frozenset(),
}


class TransitionRefused(Exception):
    """The request is not (or no longer) in a state that may move to the one asked for."""


def open_request(connection_id: int) -> SupportRequest | None:
    """The connection's waiting (open or in-progress) request, if it has one."""
    return db.session.scalar(
        sa.select(SupportRequest).where(
            SupportRequest.connection_id == connection_id, SupportRequest.state.in_(WAITING)
        )
    )


def latest_request(connection_id: int) -> SupportRequest | None:
    """The connection's newest request, waiting or closed: what the customer's card shows."""
    return db.session.scalar(
        sa.select(SupportRequest)
        .where(SupportRequest.connection_id == connection_id)
        .order_by(SupportRequest.id.desc())
        .limit(1)
    )


def create(
    connection: Connection, requested_by: str, message: str | None
) -> tuple[SupportRequest, bool]:
    """Ask for assisted setup, or return the request already waiting (``created`` False).

    A new request is audited (the Rackbeat user as actor) and committed with its entry."""
    connection_id = connection.id
    row = SupportRequest(
        connection_id=connection_id,
        state=State.OPEN,
        requested_by=requested_by,
        message=message or None,
    )
    found, created = insert_or_existing(row, lambda: open_request(connection_id))
    if not created:
        return found, False
    audit.record(
        connection,
        ActorType.RACKBEAT_USER,
        requested_by,
        "support_request.created",
        details={"support_request_id": found.id},
    )
    db.session.commit()
    return found, True


def change_state(
    support_request: SupportRequest, after: State, handled_by: str, staff_note: str | None
) -> State:
    """Move the request to ``after`` (not committed: the caller commits it with its audit
    entry) and return the state it had. Refused when the move is not allowed, also when
    another member of staff moved it in the meantime: the update names the state it saw."""
    before = support_request.state
    if after not in TRANSITIONS[before]:
        raise TransitionRefused(f"A request that is {before.value} cannot become {after.value}.")
    values = {"state": after, "handled_by": handled_by, "updated_at": utcnow()}
    if staff_note:
        values["staff_note"] = staff_note
    if after in CLOSED:
        values["closed_at"] = utcnow()
    changed = db.session.execute(
        sa.update(SupportRequest)
        .where(SupportRequest.id == support_request.id, SupportRequest.state == before)
        .values(**values)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise TransitionRefused("Someone else changed this request just now. Reload and look.")
    return before
