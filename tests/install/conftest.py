"""Both install contracts against the Rackbeat and Dinero sandboxes served on loopback: the app
runs in the test process (Flask's test client plays the browser on the app's side, the
sandbox's test client on Rackbeat's), jobs run here as the worker would run them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandbox import dinero as dinero_sandbox
from sandbox import rackbeat as rackbeat_sandbox
from sandbox.services import free_port
from tests.servers import serve_app

ACCOUNT_ID = 12345
ORGANIZATION_ID = "400555"
DINERO_API_KEY = "demo-dinero-api-key"
CONTACT = "ops@rackdinero.example"
APP_URL = "http://127.0.0.1:5000"


@dataclass
class Rackbeat:
    """The Rackbeat sandbox: its app, where it is served, and a browser signed in to it."""

    app: Flask
    url: str
    browser: FlaskClient

    @property
    def store(self):
        return self.app.extensions["rackbeat_sandbox"]

    def calls(self, path_part: str = "") -> list[dict[str, Any]]:
        """The machine requests it received (``/_sandbox/consumers``) whose path has
        ``path_part``."""
        calls = self.browser.get("/_sandbox/consumers").json
        return [call for call in calls if path_part in call["path"]]

    def request_token(self) -> str:
        """Press Install on the integration-request listing; the token Rackbeat sends."""
        response = self.browser.get("/apps/dinero-integration/install")
        assert response.status_code == 302, response.text
        location = urlsplit(response.location)
        assert f"{location.scheme}://{location.netloc}{location.path}" == (
            APP_URL + "/install/onboarding"
        )
        return parse_qs(location.query)["token"][0]


@pytest.fixture
def rackbeat() -> Iterator[Rackbeat]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = rackbeat_sandbox.create_app({"PUBLIC_URL": url, "APP_BASE_URL": APP_URL})
    with serve_app(app, port=port):
        yield Rackbeat(app, url, app.test_client())
    app.extensions["rackbeat_sandbox"].outbox.close()


@pytest.fixture
def dinero_url() -> Iterator[str]:
    with serve_app(dinero_sandbox.create_app({"VALIDATE_RESPONSES": True})) as url:
        yield url


@pytest.fixture
def app_config(app_config: dict[str, Any], request) -> dict[str, Any]:
    """The app pointed at the sandboxes, when a test uses them."""
    config = {**app_config, "PUBLIC_URL": APP_URL, "RACKBEAT_CONSUMER_CONTACT": CONTACT}
    if "rackbeat" in request.fixturenames:
        config["RACKBEAT_BASE_URL"] = request.getfixturevalue("rackbeat").url
    if "dinero_url" in request.fixturenames:
        url = request.getfixturevalue("dinero_url")
        config.update(DINERO_API_URL=url, DINERO_AUTH_URL=url)
    return config


def csrf(page: str) -> str | None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found[1] if found else None


class Onboarding:
    """One browser going through contract B's onboarding on the app."""

    def __init__(self, client: FlaskClient, rackbeat: Rackbeat) -> None:
        self.client = client
        self.rackbeat = rackbeat
        self.locations: list[str] = []
        self.url = ""
        self.csrf_token: str | None = None

    def begin(self, token: str | None = None) -> Onboarding:
        token = token or self.rackbeat.request_token()
        response = self.client.get("/install/onboarding", query_string={"token": token})
        assert response.status_code == 303, response.get_data(as_text=True)
        self.url = response.location
        self.locations.append(response.location)
        return self

    def page(self):
        response = self.client.get(self.url)
        self.csrf_token = csrf(response.get_data(as_text=True)) or self.csrf_token
        return response

    def submit(self, api_key: str = DINERO_API_KEY, organization_id: str = ORGANIZATION_ID):
        """Send the form (with the CSRF token of a page seen before, as a second click does)."""
        self.page()
        form = {"csrf_token": self.csrf_token, "api_key": api_key}
        response = self.client.post(self.url, data={**form, "organization_id": organization_id})
        if response.location:
            self.locations.append(response.location)
        return response

    def cancel(self):
        self.page()
        response = self.client.post(f"{self.url}/cancel", data={"csrf_token": self.csrf_token})
        self.locations.append(response.location)
        return response

    def status(self) -> dict[str, Any]:
        return self.client.get(f"{self.url}/status").json


@pytest.fixture
def onboarding(client, rackbeat) -> Onboarding:
    return Onboarding(client, rackbeat)
