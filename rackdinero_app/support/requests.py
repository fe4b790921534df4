"""Assisted-setup requests on the support dashboard: the list (any signed-in staff member),
the count in the navigation, and an operator's answer (in progress, done, declined).

An answer is an operator action like the others in ``actions.py``: a required reason, kept in
the audit entry with the state before and after; a move the request's state does not allow
(e.g. from done) answers 409 and changes nothing. The customer reads the staff note."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask import g
from flask import render_template
from flask import request

from rackdinero_app import support_requests
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import SupportRequest
from rackdinero_app.models.support_request import MAX_NOTE
from rackdinero_app.support import bp
from rackdinero_app.support.actions import begin
from rackdinero_app.support.actions import done
from rackdinero_app.support.actions import refuse
from rackdinero_app.support.auth import staff_required
from rackdinero_app.support.connections import bad_request

State = support_requests.State
CLOSED_SHOWN = 50
# What an operator may set; "open" is only ever the customer's.
ANSWERS = (State.IN_PROGRESS, State.DONE, State.DECLINED)


def count_waiting() -> int:
    """Open and in-progress requests, for the navigation's "Requests (N open)"."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SupportRequest)
        .where(SupportRequest.state.in_(support_requests.WAITING))
    )


@bp.context_processor
def navigation_counts():
    """Called by the navigation only when a staff member is signed in (one COUNT)."""
    return {"count_waiting_requests": count_waiting}


def _with_connections(query: sa.Select) -> list[tuple[SupportRequest, Connection]]:
    return db.session.execute(
        query.join(Connection, Connection.id == SupportRequest.connection_id)
    ).all()


@bp.get("/requests")
@staff_required()
def support_request_list():
    """Waiting requests first, oldest first (who has waited longest); then the latest closed."""
    waiting = _with_connections(
        sa.select(SupportRequest, Connection)
        .where(SupportRequest.state.in_(support_requests.WAITING))
        .order_by(SupportRequest.created_at, SupportRequest.id)
    )
    closed = _with_connections(
        sa.select(SupportRequest, Connection)
        .where(SupportRequest.state.in_(support_requests.CLOSED))
        .order_by(SupportRequest.closed_at.desc(), SupportRequest.id.desc())
        .limit(CLOSED_SHOWN)
    )
    return render_template(
        "support/requests.html", staff=g.staff, waiting=waiting, closed=closed, shown=CLOSED_SHOWN
    )


def _answer() -> tuple[State, str]:
    """The new state and the staff note from the form, or a 400 saying what was wrong."""
    raw = request.form.get("state", "").strip()
    if raw not in {state.value for state in ANSWERS}:
        bad_request(f"Choose the new state: one of {', '.join(s.value for s in ANSWERS)}.")
    note = request.form.get("staff_note", "").strip()
    if len(note) > MAX_NOTE:
        bad_request(f"The note to the customer is at most {MAX_NOTE} characters.")
    if raw == State.DECLINED and not note:
        bad_request("Say why it is declined in the note to the customer: they read it.")
    return State(raw), note


@bp.post("/requests/<int:request_id>/state")
@staff_required("operator")
def answer_support_request(request_id: int):
    """Move a request on (in progress, done, declined) with a note the customer reads."""
    found = db.session.get(SupportRequest, request_id) or abort(404)
    # A request of a connection uninstalled since can still be closed (done or declined).
    connection, reason = begin(found.connection_id, uninstalled_too=True)
    after, note = _answer()
    try:
        before = support_requests.change_state(found, after, g.staff.email, note)
    except support_requests.TransitionRefused as refused:
        refuse(str(refused))
    details = {"support_request_id": found.id, "before": before.value, "after": after.value}
    if note:
        details["staff_note"] = note
    message = f"Request {found.id} is now {after.value.replace('_', ' ')}."
    return done(connection, f"support_request.{after.value}", reason, details, message)
