"""The embedded session is bound to the browser that launched it and to the install it was
launched for, names nobody in its URL, and activation saves nothing until the user has
confirmed which Rackbeat company goes to which Dinero organization (issue 13)."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC
from datetime import datetime
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import flask_babel
import pytest
import sqlalchemy as sa

from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.install.service import uninstall
from rackdinero_app.install.service import upsert_connection
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models.enums import ConnectionState
from tests.embedded.test_change_connection import app_config  # noqa: F401  (a fixture)
from tests.embedded.test_change_connection import dinero_url  # noqa: F401  (a fixture)
from tests.jobs import run_queued_jobs

ACCOUNT = 12345
COMPANY = "Alpha Lager ApS"
API_KEY = "demo-dinero-api-key"
HOME = "/embedded/activation"  # what a connection that is not activated yet opens on
BROWSER_COOKIE = "rd_embed"
INSTALLED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def installed(make_connection) -> Connection:
    """Installed, not activated yet: no Dinero company, no key."""
    return make_connection(
        rackbeat_account_id=ACCOUNT,
        rackbeat_company_name=COMPANY,
        state=ConnectionState.INSTALLED,
        dinero_organization_id=None,
        dinero_api_key=None,
        installed_at=INSTALLED_AT,
    )


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def stored() -> Connection:
    db.session.expire_all()
    return db.session.scalar(sa.select(Connection).where(Connection.rackbeat_account_id == ACCOUNT))


def assert_not_activated() -> None:
    connection = stored()
    assert connection.state == ConnectionState.INSTALLED
    assert (connection.dinero_organization_id, connection.dinero_api_key) == (None, None)
    assert connection.activated_at is None
    assert (
        db.session.scalar(sa.select(Settings).where(Settings.connection_id == connection.id))
        is None
    )
    assert not db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "activated")
    ).all()


def start_activation(client, s: str):
    """Fill in the activation form with the demo key and company 400555; run the check."""
    form = client.get("/embedded/activation", query_string={"s": s}).get_data(as_text=True)
    started = client.post(
        "/embedded/activation",
        data={"s": s, "csrf_token": csrf_of(form), "api_key": API_KEY, "organization_id": "400555"},
    )
    assert started.status_code == 303, started.get_data(as_text=True)
    assert run_queued_jobs() == 1
    return started.location


def press(client, s: str, page: str, button: str):
    action = re.search(rf'<form[^>]*action="([^"]+)"[^>]*id="{button}-connection"', page)[1]
    return client.post(action, data={"s": s, "csrf_token": csrf_of(page)})


def test_a_link_passed_to_another_browser_opens_nothing_and_saves_nothing(
    app, client, installed, open_session, redis
):
    """The attack: A's user launches the app and sends the activation link to a victim, whose
    Dinero key would then serve A's account."""
    s = open_session(ACCOUNT)
    link = f"/embedded/activation?s={s}"
    form = client.get(link).get_data(as_text=True)  # the launching browser: the form

    victim = app.test_client()
    flask_babel.refresh()  # the tests share one app context; a real request has its own
    opened = victim.get(link, headers={"Accept-Language": "en"})
    assert opened.status_code == 401
    assert "Open the app again from Rackbeat" in opened.get_data(as_text=True)
    assert 'name="api_key"' not in opened.get_data(as_text=True)
    posted = victim.post(
        "/embedded/activation",
        data={"s": s, "csrf_token": csrf_of(form), "api_key": API_KEY, "organization_id": "400555"},
    )
    assert posted.status_code == 401
    assert rq.queue().count == 0
    assert redis.keys("rackdinero:activation:*") == []
    assert_not_activated()

    # Nor does a cookie of its own help: the session knows its browser's secret.
    victim.set_cookie(BROWSER_COOKIE, "x" * 43, path="/embedded")
    assert victim.get(link).status_code == 401
    assert client.get(link).status_code == 200  # A's own browser still works


def test_the_session_token_names_nobody_and_decodes_to_nothing(
    client, installed, launch_token, redis
):
    launched = client.get("/embedded/launch", query_string={"launch": launch_token(ACCOUNT)})
    s = parse_qs(urlsplit(launched.location).query)["s"][0]

    assert len(s) <= 40 and "." not in s
    decoded = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    for text in (s, decoded.decode("latin-1"), launched.location):
        assert "mette" not in text.lower() and "demo-lager" not in text
    home = client.get(launched.location).get_data(as_text=True)
    for url in re.findall(r'(?:href|action|data-status-url)="([^"]*)"', home):
        assert "mette" not in url.lower(), url
    # Redis keeps the session under the token's hash, and neither the token nor the cookie.
    cookie = client.get_cookie(BROWSER_COOKIE, path="/embedded").value
    (key,) = redis.keys("rackdinero:embedded-session:*")
    record = redis.get(key).decode()
    assert s not in key.decode() and s not in record and cookie not in record
    assert json.loads(record)["u"]["email"] == "mette@demo-lager.dk"  # kept server-side only


def test_the_cookie_is_partitioned_and_secure_in_production(app, client, installed, launch_token):
    app.config["ENV"] = "production"
    launched = client.get("/embedded/launch", query_string={"launch": launch_token(ACCOUNT)})
    cookie = launched.headers["Set-Cookie"]
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/embedded"):
        assert attribute in cookie, cookie


def test_on_plain_http_the_cookie_is_lax_and_not_secure(client, installed, launch_token):
    launched = client.get("/embedded/launch", query_string={"launch": launch_token(ACCOUNT)})
    cookie = launched.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Path=/embedded" in cookie
    assert "Secure" not in cookie and "Partitioned" not in cookie


def test_a_session_from_before_an_uninstall_and_reinstall_is_refused(
    client, installed, open_session, redis
):
    s = open_session(ACCOUNT)
    assert client.get(HOME, query_string={"s": s}).status_code == 200

    uninstall(stored(), reason="plugin.uninstalled webhook from Rackbeat")
    assert redis.keys("rackdinero:embedded-session*") == []  # the uninstall ended them
    me = {"user_account": {"id": ACCOUNT, "company_name": COMPANY}}
    upsert_connection(me, TokenPair("rb-access", "rb-refresh", None), "oauth")
    db.session.commit()
    assert stored().state == ConnectionState.INSTALLED

    assert client.get(HOME, query_string={"s": s}).status_code == 401
    assert client.get(HOME, query_string={"s": open_session(ACCOUNT)}).status_code == 200


def test_a_reinstall_alone_ends_the_sessions_of_the_earlier_install(
    client, installed, open_session
):
    s = open_session(ACCOUNT)
    me = {"user_account": {"id": ACCOUNT, "company_name": COMPANY}}
    upsert_connection(me, TokenPair("rb-access", "rb-refresh", None), "oauth")
    db.session.commit()
    assert client.get(HOME, query_string={"s": s}).status_code == 401


def test_activation_saves_nothing_until_the_user_confirms_both_names(
    client, installed, open_session
):
    s = open_session(ACCOUNT)
    progress = start_activation(client, s)
    status = client.get(f"{progress.split('?')[0]}/status", query_string={"s": s}).json
    assert status["finished"] is True and status["state"] == "verified"
    assert_not_activated()

    question = client.get(progress).get_data(as_text=True)
    assert (
        f"Forbind Rackbeat-virksomheden {COMPANY} (konto {ACCOUNT}) med "
        "Dinero-organisationen Demo Lager ApS (400555)?"
    ) in question
    assert API_KEY not in question
    assert_not_activated()

    confirmed = press(client, s, question, "confirm")
    assert confirmed.status_code in (302, 303)
    assert "/embedded/settings/start-sync" in confirmed.location
    connection = stored()
    assert connection.state == ConnectionState.ACTIVE
    assert (connection.dinero_organization_id, connection.dinero_organization_name) == (
        400555,
        "Demo Lager ApS",
    )
    assert connection.dinero_api_key == API_KEY
    (entry,) = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "activated"))
    assert entry.actor == "mette@demo-lager.dk"
    # A second press (a double click) changes nothing more.
    press(client, s, question, "confirm")
    assert len(db.session.scalars(sa.select(AuditEntry)).all()) == 1


def test_cancel_saves_nothing_and_forgets_the_key(client, installed, open_session, redis):
    s = open_session(ACCOUNT)
    progress = start_activation(client, s)
    question = client.get(progress).get_data(as_text=True)

    cancelled = press(client, s, question, "cancel")
    assert cancelled.status_code == 303
    page = client.get(cancelled.location).get_data(as_text=True)
    assert "Annulleret: intet blev gemt" in page and 'name="api_key"' in page
    assert_not_activated()
    attempt_id = urlsplit(progress).path.rsplit("/", 1)[1]
    attempt = json.loads(redis.get(f"rackdinero:activation:{attempt_id}"))
    assert (attempt["state"], attempt["sealed_key"]) == ("cancelled", None)
    # Confirm after Cancel: still nothing.
    press(client, s, question, "confirm")
    assert_not_activated()


def test_the_settings_link_binds_its_session_to_the_browser_too(app, client, make_connection):
    connection = make_connection(
        rackbeat_contract="integration", settings_secret="s" * 43, state=ConnectionState.INSTALLED
    )
    opened = client.get(f"/embedded/connections/{connection.id}/{'s' * 43}")
    assert opened.status_code == 302
    s = parse_qs(urlsplit(opened.location).query)["s"][0]
    assert client.get(HOME, query_string={"s": s}).status_code == 200
    assert app.test_client().get(HOME, query_string={"s": s}).status_code == 401
