"""Changing the Dinero connection (I3): verified against the Dinero sandbox before anything is
replaced, a warning for another company, and the key in no page."""

from __future__ import annotations

import json
import re
from datetime import UTC
from datetime import datetime

import pytest
import requests
import sqlalchemy as sa

from rackdinero_app.extensions import rq
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.setup.sources import accounts_key
from rackdinero_app.setup.sources import dinero_accounts
from sandbox.dinero import create_app as create_dinero
from tests.jobs import run_queued_jobs
from tests.servers import serve_app

ACCOUNT = 12345
DEMO_API_KEY = "demo-dinero-api-key"
OLD_API_KEY = "old-dinero-api-key"
ACTIVATED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def dinero_url():
    with serve_app(create_dinero({"VALIDATE_RESPONSES": True})) as url:
        yield url


@pytest.fixture
def app_config(app_config, dinero_url):
    return {**app_config, "DINERO_API_URL": dinero_url, "DINERO_AUTH_URL": dinero_url}


class Pages:
    """The embedded pages of one session; every response body is kept, to look for the key."""

    def __init__(self, client, session_token: str, connection_id: int) -> None:
        self.client = client
        self.s = session_token
        self.connection_id = connection_id
        self.bodies: list[str] = []

    def get(self, url: str):
        response = self.client.get(url, query_string={"s": self.s})
        self.bodies.append(response.get_data(as_text=True))
        return response

    def change(self, **form):
        """Post the change form, with the CSRF token of the page as shown."""
        page = self.get("/embedded/dinero-connection").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        response = self.client.post(
            "/embedded/dinero-connection", data={"s": self.s, "csrf_token": csrf, **form}
        )
        self.bodies.append(response.get_data(as_text=True))
        return response

    def outcome(self, started, *, confirm: bool = True):
        """Run the queued job as the worker would, then open the page the form led to; when it
        asks to confirm the connection, press Confirm (unless ``confirm`` is false)."""
        assert started.status_code == 303, started.get_data(as_text=True)
        progress_url = started.location.split("?")[0]
        assert 'data-status-url="/embedded/dinero-connection/' in self.get(progress_url).text
        run_queued_jobs()
        assert self.get(f"{progress_url}/status").json["finished"] is True
        page = self.get(progress_url)
        if not confirm or 'id="confirm-connection"' not in page.get_data(as_text=True):
            return page
        return self.press("confirm", page)

    def press(self, button: str, page):
        """Press Confirm or Cancel on the question which companies are connected."""
        body = page.get_data(as_text=True)
        action = re.search(rf'<form[^>]*action="([^"]+)"[^>]*id="{button}-connection"', body)[1]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', body)[1]
        response = self.client.post(action, data={"s": self.s, "csrf_token": csrf})
        self.bodies.append(response.get_data(as_text=True))
        return response


@pytest.fixture
def pages(client, make_connection, open_session):
    """An active connection (Demo Lager ApS, 400555, an older key unless given) and its pages."""

    def open_for(**fields) -> Pages:
        values = {
            "dinero_organization_id": 400555,
            "dinero_organization_name": "Demo Lager ApS",
            "dinero_api_key": OLD_API_KEY,
            "activated_at": ACTIVATED_AT,
            **fields,
        }
        connection = make_connection(rackbeat_account_id=ACCOUNT, **values)
        return Pages(client, open_session(ACCOUNT), connection.id)

    return open_for


def stored(db) -> Connection:
    db.session.expire_all()
    return db.session.scalar(sa.select(Connection).where(Connection.rackbeat_account_id == ACCOUNT))


def audit_entries(db, action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_same_company_with_a_new_key_replaces_the_key_and_stays_active(db, pages):
    page = pages()
    home = page.get("/embedded/").get_data(as_text=True)
    assert 'id="change-connection"' in home and "Skift Dinero-forbindelse" in home
    form = page.get("/embedded/dinero-connection").get_data(as_text=True)
    assert "Demo Lager ApS" in form and "400555" in form

    done = page.outcome(page.change(api_key=DEMO_API_KEY, organization_id="400555"))

    assert done.status_code == 303 and done.location.startswith("/embedded/?")
    connection = stored(db)
    assert connection.dinero_api_key == DEMO_API_KEY  # decrypted by the model
    raw = db.session.execute(
        sa.text("SELECT dinero_api_key FROM connections WHERE id = :id"), {"id": connection.id}
    ).scalar_one()
    assert DEMO_API_KEY not in raw  # the column itself holds it encrypted
    assert connection.state == ConnectionState.ACTIVE
    assert connection.activated_at == ACTIVATED_AT
    (entry,) = audit_entries(db, "dinero_connection_changed")
    assert entry.details == {
        "previous_dinero_organization_id": 400555,
        "dinero_organization_id": 400555,
        "changed_organization": False,
        "previous_dinero_sign_in": "api_key",
        "dinero_sign_in": "api_key",
    }
    assert DEMO_API_KEY not in json.dumps(entry.details) + (entry.reason or "")
    assert audit_entries(db, "activated") == []
    assert all(DEMO_API_KEY not in body for body in page.bodies)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"api_key": "not-a-key", "organization_id": "400555"},
            "Dinero accepterede ikke API-nøglen",
        ),
        (
            {
                "api_key": DEMO_API_KEY,
                "organization_id": "999999",
                "confirm_organization": "999999",
            },
            "giver ikke adgang til Dinero firma-ID 999999",
        ),
        (
            {
                "api_key": "demo-starter-api-key",
                "organization_id": "400556",
                "confirm_organization": "400556",
            },
            "har ikke Dinero Pro",
        ),
    ],
    ids=["wrong-key", "wrong-company", "not-pro"],
)
def test_a_refused_change_says_why_and_the_old_connection_keeps_working(db, pages, form, message):
    page = pages(dinero_api_key=DEMO_API_KEY)

    refused = page.outcome(page.change(**form))

    assert refused.status_code == 200
    assert message in refused.text
    assert 'action="/embedded/dinero-connection"' in refused.text  # the form, to try again
    connection = stored(db)
    assert connection.dinero_api_key == DEMO_API_KEY
    assert connection.dinero_organization_id == 400555
    assert connection.dinero_organization_name == "Demo Lager ApS"
    assert audit_entries(db, "dinero_connection_changed") == []
    assert 1000 in dinero_accounts(connection, fresh=True)  # still reads Dinero with the old key
    assert all(form["api_key"] not in body for body in page.bodies)


def test_dinero_unreachable_changes_nothing(db, pages, dinero_url):
    page = pages()
    requests.post(f"{dinero_url}/_sandbox/knobs", json={"error_rate": 1.0}, timeout=5)

    failed = page.outcome(page.change(api_key=DEMO_API_KEY, organization_id="400555"))

    assert "Dinero kunne ikke nås lige nu" in failed.text
    assert stored(db).dinero_api_key == OLD_API_KEY
    assert audit_entries(db, "dinero_connection_changed") == []


def test_another_company_needs_a_confirmation_first(db, redis, pages):
    page = pages(dinero_organization_id=400777, dinero_organization_name="Gammel ApS")
    cached = accounts_key(page.connection_id)
    redis.set(cached, json.dumps([[9999, "Old company's account"]]))
    other = {"api_key": DEMO_API_KEY, "organization_id": "400555"}

    unconfirmed = page.change(**other)
    confirmed_for_another = page.change(**other, confirm_organization="400777")

    for refused in (unconfirmed, confirmed_for_another):
        body = refused.get_data(as_text=True)
        assert refused.status_code == 422
        assert "Firma-ID 400555 er ikke den Dinero-virksomhed, der er forbundet nu (400777)" in body
        assert "bliver oprettet igen i den nye virksomhed" in body
        assert 'name="confirm_organization"' in body and 'value="400555" required' in body
    assert rq.queue().count == 0
    assert redis.keys("rackdinero:activation:*") == []
    assert stored(db).dinero_organization_id == 400777

    done = page.outcome(page.change(**other, confirm_organization="400555"))

    assert done.status_code == 303
    assert redis.get(cached) is None  # the previous company's accounts are forgotten
    home = page.get(done.location.split("?")[0]).get_data(as_text=True)
    assert "Demo Lager ApS (400555)" in home and "Gammel ApS" not in home
    connection = stored(db)
    assert (connection.dinero_organization_id, connection.dinero_api_key) == (400555, DEMO_API_KEY)
    assert connection.state == ConnectionState.ACTIVE
    (entry,) = audit_entries(db, "dinero_connection_changed")
    assert entry.details["changed_organization"] is True
    assert entry.details["previous_dinero_organization_id"] == 400777
    assert 9999 not in dinero_accounts(connection, fresh=False)  # the new company's, if cached
    assert all(DEMO_API_KEY not in body for body in page.bodies)


def test_the_same_company_needs_no_confirmation(pages):
    page = pages()
    form = page.get("/embedded/dinero-connection").get_data(as_text=True)
    assert 'name="confirm_organization"' not in form
    started = page.change(api_key=DEMO_API_KEY, organization_id="400555")
    assert started.status_code == 303
    assert rq.queue().count == 1


def test_an_attempt_is_shown_only_on_its_own_page(pages):
    page = pages()
    started = page.change(api_key=DEMO_API_KEY, organization_id="400555")
    attempt_id = started.location.split("/dinero-connection/")[1].split("?")[0]
    assert page.get(f"/embedded/dinero-connection/{attempt_id}/status").json["finished"] is False
    assert page.get(f"/embedded/activation/{attempt_id}").status_code == 404
    assert page.get(f"/embedded/activation/{attempt_id}/status").status_code == 404


def test_a_connection_not_yet_active_is_sent_to_activation(client, make_connection, open_session):
    make_connection(rackbeat_account_id=ACCOUNT, state=ConnectionState.INSTALLED)
    token = open_session(ACCOUNT)
    shown = client.get("/embedded/dinero-connection", query_string={"s": token})
    assert shown.status_code == 302 and shown.location.startswith("/embedded/?")
