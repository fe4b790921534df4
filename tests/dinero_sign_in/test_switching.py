"""Change Dinero connection offers both sign-ins, and switching works both ways: each method
drops the other's secret."""

from __future__ import annotations

import re

import sqlalchemy as sa

from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState
from tests.dinero_sign_in.conftest import embedded_csrf
from tests.jobs import run_queued_jobs
from tests.visma_steps import LARS

ACCOUNT = 12345
DEMO_API_KEY = "demo-dinero-api-key"
CHANGE_PAGE = "/embedded/dinero-connection"


def stored(db) -> Connection:
    db.session.expire_all()
    return db.session.scalar(sa.select(Connection).where(Connection.rackbeat_account_id == ACCOUNT))


def change_with_api_key(person, api_key: str, organization_id: str = "400555"):
    page = person.iframe(CHANGE_PAGE).get_data(as_text=True)
    form = {"s": person.s, "csrf_token": embedded_csrf(page), "api_key": api_key}
    started = person.client.post(CHANGE_PAGE, data={**form, "organization_id": organization_id})
    assert started.status_code == 303, started.get_data(as_text=True)
    run_queued_jobs()
    question = person.client.get(started.location).get_data(as_text=True)
    action = re.search(r'<form[^>]*action="([^"]+)"[^>]*id="confirm-connection"', question)[1]
    return person.client.post(action, data={"s": person.s, "csrf_token": embedded_csrf(question)})


def test_switching_from_the_api_key_to_visma_and_back(db, make_connection, sign_in):
    make_connection(rackbeat_account_id=ACCOUNT, dinero_api_key=DEMO_API_KEY)
    person = sign_in(ACCOUNT)
    page = person.iframe(CHANGE_PAGE).get_data(as_text=True)
    assert 'id="visma-sign-in"' in page and 'name="api_key"' in page

    sign_in_id, answer = person.through_consent(LARS, purpose="change", page=CHANGE_PAGE)
    answer = person.confirm(answer)  # the same company: no picker, only the final question
    assert answer.status_code == 200
    connection = stored(db)
    assert (connection.dinero_sign_in, connection.dinero_api_key) == ("visma_connect", None)
    assert connection.dinero_refresh_token and connection.state == ConnectionState.ACTIVE
    assert person.iframe(f"/embedded/visma-sign-in/{sign_in_id}").location.endswith(
        f"/embedded/?s={person.s}"
    )
    assert '<dd id="sign-in-method">Visma</dd>' in person.iframe(CHANGE_PAGE).get_data(as_text=True)
    cache = f"rackdinero:dinero:visma-token:connection-{connection.id}"
    assert rq.redis.exists(cache)

    done = change_with_api_key(person, DEMO_API_KEY)
    assert done.status_code == 303
    connection = stored(db)
    assert (connection.dinero_sign_in, connection.dinero_api_key) == ("api_key", DEMO_API_KEY)
    assert connection.dinero_refresh_token is None
    assert not rq.redis.exists(cache)
    changes = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "dinero_connection_changed")
    ).all()
    assert [
        (c.details["previous_dinero_sign_in"], c.details["dinero_sign_in"]) for c in changes
    ] == [
        ("api_key", "visma_connect"),
        ("visma_connect", "api_key"),
    ]


def test_moving_to_another_company_with_visma_asks_for_a_confirmation(db, make_connection, sign_in):
    make_connection(rackbeat_account_id=ACCOUNT, dinero_organization_id=400999)
    person = sign_in(ACCOUNT)
    sign_in_id, answer = person.through_consent(LARS, purpose="change", page=CHANGE_PAGE)
    assert answer.status_code == 303  # one company, but not the connected one: the picker

    unconfirmed = person.choose(sign_in_id, 400555)
    assert unconfirmed.status_code == 422
    assert 'id="other-organization-warning"' in unconfirmed.get_data(as_text=True)
    assert stored(db).dinero_organization_id == 400999

    chosen = person.choose(sign_in_id, 400555, confirm=True)
    assert stored(db).dinero_organization_id == 400999  # not before the final question
    assert person.confirm(chosen).status_code == 200
    assert stored(db).dinero_organization_id == 400555


def test_a_change_needs_an_active_connection(db, make_connection, sign_in):
    make_connection(rackbeat_account_id=ACCOUNT, state=ConnectionState.INSTALLED)
    person = sign_in(ACCOUNT)
    page = person.iframe("/embedded/activation").get_data(as_text=True)
    answer = person.client.post(
        "/embedded/visma-sign-in",
        data={"s": person.s, "csrf_token": embedded_csrf(page), "purpose": "change"},
    )
    assert answer.status_code == 409
