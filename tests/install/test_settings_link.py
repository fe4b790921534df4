"""Contract B's settings URL: the secret in the path opens the same embedded session as a
launch; a wrong secret or an uninstalled connection is a plain 404; a reinstall rotates it."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from rackdinero_app.embedded import session as embedded_session
from rackdinero_app.extensions import db
from rackdinero_app.install.service import settings_link
from rackdinero_app.install.service import uninstall
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from tests.install.conftest import APP_URL
from tests.jobs import run_queued_jobs

SECRET = "s" * 43


@pytest.fixture
def installed(make_connection) -> Connection:
    connection = make_connection(rackbeat_contract="integration", settings_secret=SECRET)
    db.session.add(Settings(connection_id=connection.id))
    db.session.commit()
    return connection


def path(connection: Connection, secret: str = SECRET) -> str:
    return f"/embedded/connections/{connection.id}/{secret}"


def test_the_right_secret_opens_the_overview_as_a_launch_does(client, installed):
    response = client.get(path(installed), headers={"Accept-Language": "da"})

    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == "/embedded/"
    token = parse_qs(location.query)["s"][0]
    cookie = client.get_cookie(embedded_session.BROWSER_COOKIE, path="/embedded")
    session = embedded_session.load(token, cookie.value)
    assert (session.connection_id, session.account_id) == (
        installed.id,
        installed.rackbeat_account_id,
    )
    home = client.get(response.location)
    assert home.status_code == 200
    assert "er forbundet med Dinero" in home.get_data(as_text=True)  # the browser's language
    assert home.headers["Content-Security-Policy"].startswith("frame-ancestors ")


@pytest.mark.parametrize("secret", ["s" * 42, "t" * 43, "s" * 44, "x"])
def test_a_wrong_secret_is_a_plain_404(client, installed, secret):
    response = client.get(path(installed, secret))
    assert response.status_code == 404
    assert SECRET not in response.get_data(as_text=True)
    assert "s=" not in (response.location or "")


def test_another_connections_id_with_this_secret_is_404(client, installed, make_connection):
    other = make_connection(rackbeat_contract="integration", settings_secret="o" * 43)
    assert client.get(path(other)).status_code == 404
    assert client.get(f"/embedded/connections/{other.id + 100}/{SECRET}").status_code == 404


def test_an_uninstalled_connection_is_404(client, installed):
    uninstall(installed, "test")
    assert client.get(path(installed)).status_code == 404


def test_a_contract_a_connection_has_no_settings_link(client, make_connection):
    connection = make_connection(rackbeat_contract="oauth", settings_secret=SECRET)
    assert client.get(path(connection)).status_code == 404


def test_a_reinstall_rotates_the_secret(onboarding, rackbeat, dinero_url, client):
    onboarding.begin()
    onboarding.submit()
    run_queued_jobs()
    db.session.expire_all()
    connection = db.session.query(Connection).one()
    first = settings_link(connection)
    assert client.get(first.removeprefix(APP_URL)).status_code == 302

    again = type(onboarding)(client, rackbeat).begin()  # a new integration request
    again.submit()
    run_queued_jobs()
    db.session.expire_all()
    connection = db.session.query(Connection).one()
    second = settings_link(connection)

    assert second != first
    assert client.get(first.removeprefix(APP_URL)).status_code == 404
    assert client.get(second.removeprefix(APP_URL)).status_code == 302
    registered = rackbeat.store.accounts[connection.rackbeat_account_id].installations["dinero"]
    assert registered.settings_url == second
