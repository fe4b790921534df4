"""Transfers run in the test process against both sandboxes served on loopback: a test that
asks for ``sandboxes`` (or ``connection``) gets the app pointed at them."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import engine
from rackdinero_app.transfers import rows
from sandbox import dinero as dinero_sandbox
from sandbox import rackbeat as rackbeat_sandbox
from sandbox.rackbeat.store import Token
from tests.e2e.transfers_setup import configure
from tests.servers import serve_app

ACCOUNT_ID = 12345
ORGANIZATION_ID = 400555
DINERO_API_KEY = "demo-dinero-api-key"


@dataclass
class Sandboxes:
    rackbeat: Flask
    rackbeat_url: str
    dinero: Flask
    dinero_url: str

    @property
    def rackbeat_account(self):
        return self.rackbeat.extensions["rackbeat_sandbox"].accounts[ACCOUNT_ID]

    def dinero_records(self, table: str) -> list[dict[str, Any]]:
        sandbox = self.dinero.extensions["dinero_sandbox"]
        with sandbox.lock:
            organization = sandbox.organizations[ORGANIZATION_ID]
            return [copy.deepcopy(record) for record in getattr(organization, table).values()]

    def issue_rackbeat_tokens(self, client_id: str) -> tuple[str, str]:
        """An access and refresh token for the demo account, as the sandbox's OAuth server
        would issue them after an install."""
        store = self.rackbeat.extensions["rackbeat_sandbox"]
        common = {
            "grant_id": secrets.token_hex(8),
            "client_id": client_id,
            "account_id": ACCOUNT_ID,
            "user_id": 7,
            "scopes": ("customers", "suppliers", "products", "invoices", "webhooks", "plugins"),
        }
        access = Token(secrets.token_urlsafe(16), expires_at=store.now() + 3600, **common)
        refresh = Token(secrets.token_urlsafe(16), expires_at=None, **common)
        with store.lock:
            store.access_tokens[access.value] = access
            store.refresh_tokens[refresh.value] = refresh
        return access.value, refresh.value


@pytest.fixture
def sandboxes() -> Iterator[Sandboxes]:
    rackbeat = rackbeat_sandbox.create_app()
    dinero = dinero_sandbox.create_app()
    with serve_app(rackbeat) as rackbeat_url, serve_app(dinero) as dinero_url:
        yield Sandboxes(rackbeat, rackbeat_url, dinero, dinero_url)


@pytest.fixture
def app_config(app_config: dict[str, Any], request) -> dict[str, Any]:
    if "sandboxes" not in request.fixturenames:
        return app_config
    sandboxes = request.getfixturevalue("sandboxes")
    return {
        **app_config,
        "RACKBEAT_BASE_URL": sandboxes.rackbeat_url,
        "DINERO_API_URL": sandboxes.dinero_url,
        "DINERO_AUTH_URL": sandboxes.dinero_url,
    }


@pytest.fixture
def connection(app, make_connection, sandboxes) -> Connection:
    """The demo account, active, with both integrations on and every mapping filled."""
    access, refresh = sandboxes.issue_rackbeat_tokens(app.config["RACKBEAT_CLIENT_ID"])
    connection = make_connection(
        rackbeat_account_id=ACCOUNT_ID,
        rackbeat_access_token=access,
        rackbeat_refresh_token=refresh,
        rackbeat_token_expires_at=datetime.now(UTC) + timedelta(hours=1),
        dinero_organization_id=ORGANIZATION_ID,
        dinero_api_key=DINERO_API_KEY,
    )
    db.session.add(Settings(connection_id=connection.id))
    db.session.commit()
    configure(connection.id)
    return connection


@pytest.fixture
def change_settings(connection: Connection) -> Callable[..., None]:
    """Set some of the connection's settings, leaving the rest as ``configure`` chose."""

    def change(**values: Any) -> None:
        settings = db.session.scalar(
            sa.select(Settings).where(Settings.connection_id == connection.id)
        )
        for name, value in values.items():
            setattr(settings, name, value)
        db.session.commit()

    return change


@pytest.fixture
def transfer_now(connection: Connection) -> Callable[[EntityKind, str], Transfer]:
    """Request a transfer and run it in this process; return the row as it ended."""

    def run(kind: EntityKind, key: str) -> Transfer:
        transfer, _ = rows.request_transfer(connection.id, kind, key, trigger="test")
        engine.run_transfer(transfer.id)
        db.session.expire_all()
        return db.session.get(Transfer, transfer.id)

    return run
