"""The app (Flask's test client) against the Dinero sandbox, with its Visma Connect stand-in,
served on loopback: the app's token and API calls go over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask

from rackdinero_app.models.enums import ConnectionState
from sandbox.dinero import create_app as create_dinero
from tests.servers import serve_app
from tests.visma_steps import METTE
from tests.visma_steps import answer_consent

ACCOUNT = 12345
COMPANY = "Alpha Lager ApS"


@dataclass
class Dinero:
    app: Flask
    url: str

    @property
    def visma_url(self) -> str:
        return f"{self.url}/visma-connect"


@pytest.fixture
def dinero() -> Iterator[Dinero]:
    app = create_dinero({"VALIDATE_RESPONSES": True})
    with serve_app(app) as url:
        yield Dinero(app, url)


@pytest.fixture
def app_config(app_config, dinero: Dinero):
    return {
        **app_config,
        "DINERO_API_URL": dinero.url,
        "DINERO_AUTH_URL": dinero.url,
        "VISMA_CONNECT_URL": dinero.visma_url,
    }


@pytest.fixture
def installed(make_connection):
    """Rackbeat account ACCOUNT (COMPANY), installed and not activated: no Dinero company."""
    return make_connection(
        rackbeat_account_id=ACCOUNT,
        rackbeat_company_name=COMPANY,
        state=ConnectionState.INSTALLED,
        dinero_organization_id=None,
        dinero_api_key=None,
    )


def embedded_csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def local(url: str) -> str:
    """The path and query of one of the app's URLs, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class SignIn:
    """A person signing in with Visma: the iframe pages (session ``s``), the top-level window
    (this test client, whose cookie binds the browser), Visma's consent page (over HTTP)."""

    def __init__(self, client, session_token: str) -> None:
        self.client = client
        self.s = session_token
        self.visma = requests.Session()

    def iframe(self, path: str):
        return self.client.get(path, query_string={"s": self.s})

    def begin(self, purpose: str = "activation", page: str = "/embedded/activation") -> str:
        """Press "Sign in with Visma" on ``page``; return the sign-in's id."""
        html = self.iframe(page).get_data(as_text=True)
        assert 'id="visma-sign-in"' in html or 'id="sign-in-lost"' in html, html
        started = self.client.post(
            "/embedded/visma-sign-in",
            data={"s": self.s, "csrf_token": embedded_csrf(html), "purpose": purpose},
        )
        assert started.status_code == 303, started.get_data(as_text=True)
        return urlsplit(started.location).path.rsplit("/", 1)[1]

    def open_window(self, sign_in_id: str) -> str:
        """Follow the "Open Visma sign-in" button; return Visma's authorize URL."""
        waiting = self.iframe(f"/embedded/visma-sign-in/{sign_in_id}").get_data(as_text=True)
        start = re.search(r'id="open-visma" href="([^"]+)"', waiting)[1]
        assert start == f"/dinero-sign-in/{sign_in_id}/start"
        opened = self.client.get(start)
        assert opened.status_code == 302
        return opened.location

    def consent(self, authorize_url: str, email: str = METTE, decision: str = "allow") -> str:
        return answer_consent(self.visma, authorize_url, email, decision)

    def callback(self, callback_url: str, client=None):
        return (client or self.client).get(local(callback_url))

    def choose(self, sign_in_id: str, organization_id: int | str, confirm: bool = False):
        page = self.client.get(f"/dinero-sign-in/{sign_in_id}/company").get_data(as_text=True)
        form = {"csrf_token": embedded_csrf(page), "organization_id": str(organization_id)}
        if confirm:
            form["confirm_organization"] = str(organization_id)
        return self.client.post(f"/dinero-sign-in/{sign_in_id}/company", data=form)

    def confirm(self, answer, button: str = "confirm"):
        """The window, sent to the question which companies are connected: press ``button``
        (confirm or cancel) on it."""
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert answer.location.endswith("/confirm"), answer.location
        page = self.client.get(answer.location).get_data(as_text=True)
        action = re.search(rf'<form[^>]*action="([^"]+)"[^>]*id="{button}-connection"', page)[1]
        return self.client.post(action, data={"csrf_token": embedded_csrf(page)})

    def through_consent(self, email: str = METTE, **begin) -> tuple[str, object]:
        """Begin, open the window, allow on Visma's page, come back; (id, callback answer)."""
        sign_in_id = self.begin(**begin)
        answer = self.callback(self.consent(self.open_window(sign_in_id), email))
        return sign_in_id, answer

    def status(self, sign_in_id: str) -> dict:
        return self.iframe(f"/embedded/visma-sign-in/{sign_in_id}/status").json


@pytest.fixture
def sign_in(client, open_session):
    def start(account_id: int) -> SignIn:
        return SignIn(client, open_session(account_id))

    return start
