"""Assisted-setup requests on the support dashboard: the list and its count in the navigation,
an operator's answer (reason required, audited, 409 for a move the state does not allow), a
viewer refused, and the customer reading the new state and the staff note."""

from __future__ import annotations

from datetime import timedelta

import flask
import flask_babel
import pytest
import sqlalchemy as sa
from flask import render_template

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import StaffUser
from rackdinero_app.models import SupportRequest
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.support_request import SupportRequestState as State
from tests.support.staff_login import fresh_request
from tests.support.test_connections import viewer  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import OPERATOR
from tests.support.test_operator_actions import REASON
from tests.support.test_operator_actions import operator  # noqa: F401  (a fixture)
from tests.support.test_operator_actions import post

CUSTOMER = "mette@demo-lager.dk"


def add_request(connection, state: State = State.OPEN, *, ago=timedelta(0), **fields):
    row = SupportRequest(
        connection_id=connection.id,
        state=state,
        requested_by=CUSTOMER,
        created_at=utcnow() - ago,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def reloaded(row: SupportRequest) -> SupportRequest:
    db.session.expire_all()
    return db.session.get(SupportRequest, row.id)


def request_entries() -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action.startswith("support_request."))
        .order_by(AuditEntry.id)
    ).all()


def answer(client, row, **form):
    return post(client, f"/support/requests/{row.id}/state", **form)


def test_the_list_shows_waiting_requests_oldest_first_then_the_closed(
    viewer,  # noqa: F811
    make_connection,
):
    shop, store, gone = (
        make_connection(rackbeat_company_name=n) for n in ("Shop", "Store", "Gone")
    )
    newer = add_request(shop, ago=timedelta(hours=1), message="Call me <after> lunch")
    older = add_request(
        store, State.IN_PROGRESS, ago=timedelta(days=2), handled_by=OPERATOR, staff_note="Tue"
    )
    closed = add_request(
        gone, State.DECLINED, ago=timedelta(days=9), closed_at=utcnow(), staff_note="No"
    )
    fresh_request()
    response = viewer.get("/support/requests")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Requests (2 open)" in page
    waiting, closed_part = page.split('id="waiting-requests"')[1].split('id="closed-requests"')
    assert waiting.index(f'id="request-{older.id}"') < waiting.index(f'id="request-{newer.id}"')
    assert f'href="/support/connections/{shop.id}#support-request"' in waiting
    assert "Shop" in waiting and "Store" in waiting and CUSTOMER in waiting
    assert "Call me &lt;after&gt; lunch" in waiting
    assert "in progress" in waiting and OPERATOR in waiting
    assert f'id="request-{closed.id}"' in closed_part and "declined" in closed_part
    assert f'id="request-{closed.id}"' not in waiting


def test_an_operator_moves_a_request_on_with_a_reason_and_it_is_audited(
    operator,  # noqa: F811
    make_connection,
):
    connection = make_connection()
    row = add_request(connection)
    response = answer(
        operator, row, state="in_progress", staff_note="We call Tuesday", reason=REASON
    )

    assert response.status_code == 303
    assert response.location == f"/support/connections/{connection.id}"
    found = reloaded(row)
    assert (found.state, found.handled_by, found.staff_note, found.closed_at) == (
        State.IN_PROGRESS,
        OPERATOR,
        "We call Tuesday",
        None,
    )
    response = answer(operator, row, state="done", reason="Set up on the phone")
    assert response.status_code == 303
    found = reloaded(row)
    assert (found.state, found.staff_note) == (State.DONE, "We call Tuesday")
    assert found.closed_at is not None
    first, second = request_entries()
    assert (first.action, first.actor_type, first.actor, first.reason, first.connection_id) == (
        "support_request.in_progress",
        ActorType.STAFF,
        OPERATOR,
        REASON,
        connection.id,
    )
    assert first.details == {
        "support_request_id": row.id,
        "before": "open",
        "after": "in_progress",
        "staff_note": "We call Tuesday",
    }
    assert (second.action, second.reason) == ("support_request.done", "Set up on the phone")
    assert second.details == {
        "support_request_id": row.id,
        "before": "in_progress",
        "after": "done",
    }
    fresh_request()
    page = operator.get(f"/support/connections/{connection.id}").get_data(as_text=True)
    assert f"Request {row.id} is now done." in page


def test_a_viewer_is_refused(viewer, make_connection):  # noqa: F811
    row = add_request(make_connection())
    response = answer(viewer, row, state="done", reason=REASON)

    assert response.status_code == 403
    assert reloaded(row).state == State.OPEN
    assert request_entries() == []


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_the_reason_is_required(operator, make_connection, reason):  # noqa: F811
    row = add_request(make_connection())
    response = answer(operator, row, state="in_progress", reason=reason)

    assert response.status_code == 400
    assert "reason" in response.get_data(as_text=True)
    assert reloaded(row).state == State.OPEN
    assert request_entries() == []


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"state": "open"}, "Choose the new state"),
        ({"state": "everything"}, "Choose the new state"),
        ({"state": "declined"}, "Say why it is declined"),
        ({"state": "declined", "staff_note": "   "}, "Say why it is declined"),
        ({"state": "done", "staff_note": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_answers_are_refused(operator, make_connection, form, expected):  # noqa: F811
    row = add_request(make_connection())
    response = answer(operator, row, reason=REASON, **form)

    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
    found = reloaded(row)
    assert (found.state, found.staff_note, found.handled_by) == (State.OPEN, None, None)
    assert request_entries() == []


@pytest.mark.parametrize(
    ("state", "to"),
    [
        (State.DONE, "in_progress"),
        (State.DONE, "declined"),
        (State.DECLINED, "done"),
        (State.IN_PROGRESS, "in_progress"),
    ],
)
def test_a_move_the_state_does_not_allow_is_409(operator, make_connection, state, to):  # noqa: F811
    closed_at = utcnow() if state in (State.DONE, State.DECLINED) else None
    row = add_request(make_connection(), state, closed_at=closed_at, staff_note="before")
    response = answer(operator, row, state=to, staff_note="after", reason=REASON)

    assert response.status_code == 409
    assert f"A request that is {state.value} cannot become {to}" in response.get_data(True)
    found = reloaded(row)
    assert (found.state, found.staff_note, found.handled_by) == (state, "before", None)
    assert request_entries() == []


def test_unknown_request_and_uninstalled_connection(operator, make_connection):  # noqa: F811
    assert (
        answer(operator, SupportRequest(id=999_999), state="done", reason=REASON).status_code == 404
    )
    assert request_entries() == []
    # Uninstalled since it asked: support can still close the request, so it leaves the list.
    row = add_request(make_connection(state=ConnectionState.UNINSTALLED))
    response = answer(operator, row, state="declined", staff_note="Uninstalled", reason=REASON)
    assert response.status_code == 303
    assert reloaded(row).state == State.DECLINED
    assert [entry.action for entry in request_entries()] == ["support_request.declined"]


def test_the_customer_reads_the_new_state_and_the_staff_note(
    operator,  # noqa: F811
    make_connection,
    open_session,
):
    connection = make_connection(rackbeat_account_id=12345)
    row = add_request(connection)
    note = "Vi ringer tirsdag kl. 10"
    answer(operator, row, state="in_progress", staff_note=note, reason=REASON)

    flask.g.pop("embedded", None)
    flask_babel.refresh()
    page = operator.get("/embedded/", query_string={"s": open_session(12345)}).get_data(True)
    assert f"Support arbejder på det ({note})." in page

    answer(operator, row, state="declined", staff_note="Ikke i år", reason=REASON)
    flask.g.pop("embedded", None)
    flask_babel.refresh()
    page = operator.get("/embedded/", query_string={"s": open_session(12345)}).get_data(True)
    assert "Afvist: Ikke i år" in page
    assert "Bed support om at sætte det op" in page


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_the_connection_page_include_shows_the_request_and_the_form_to_operators(
    app, make_connection, make_staff, role
):
    staff, _ = make_staff(f"{role}@support.example", role, ready=True)
    row = add_request(make_connection(), message="Please help")
    with app.test_request_context():
        flask.g.staff = db.session.get(StaffUser, staff.id)
        html = render_template("support/connection_request.html", support_request=row)
        nothing = render_template("support/connection_request.html", support_request=None)

    assert 'id="support-request"' in html and "Please help" in html and CUSTOMER in html
    form = f'action="/support/requests/{row.id}/state"'
    assert (form in html) == (role == "operator")
    if role == "operator":
        for field in ('name="state"', 'name="staff_note"', 'name="reason"', 'name="csrf_token"'):
            assert field in html
    assert "No request is waiting." in nothing
