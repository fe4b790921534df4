"""Both sandboxes served over real HTTP in this process, and an active connection to them, so
the start sync's jobs can be called directly (no worker) against Rackbeat and Dinero as the
app sees them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from rackdinero_app.extensions import db
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.models.enums import SyncKind
from rackdinero_app.models.enums import SyncState
from sandbox.dinero import create_app as create_dinero
from sandbox.dinero.state import Organization
from sandbox.rackbeat import create_app as create_rackbeat
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Store
from sandbox.rackbeat.store import Token
from tests.servers import serve_app

ACCOUNT_ID = 12345
ORGANIZATION_ID = 400555
DINERO_API_KEY = "demo-dinero-api-key"


@dataclass
class Sandboxes:
    rackbeat: Flask
    dinero: Flask
    rackbeat_url: str
    dinero_url: str

    @property
    def store(self) -> Store:
        return self.rackbeat.extensions["rackbeat_sandbox"]

    @property
    def account(self) -> Account:
        return self.store.account(ACCOUNT_ID)

    @property
    def organization(self) -> Organization:
        return self.dinero.extensions["dinero_sandbox"].organizations[ORGANIZATION_ID]

    def access_token(self) -> str:
        """A bearer token for the demo account, as an install would leave it."""
        value = secrets.token_hex(16)
        with self.store.lock:
            self.store.access_tokens[value] = Token(
                value=value,
                grant_id="start-sync-tests",
                client_id=self.store.registration.client_id,
                account_id=ACCOUNT_ID,
                user_id=self.account.users[0],
                scopes=self.store.registration.scopes,
                expires_at=None,
            )
        return value

    def records(self, resource: str) -> list[dict[str, Any]]:
        with self.store.lock:
            return [dict(record) for record in self.account.records[resource].values()]


@pytest.fixture
def sandboxes() -> Iterator[Sandboxes]:
    rackbeat = create_rackbeat()
    dinero = create_dinero(
        {"VALIDATE_RESPONSES": True, "KNOBS": {"rate_limit": {"limit": 6000, "window_seconds": 60}}}
    )
    with serve_app(rackbeat) as rackbeat_url, serve_app(dinero) as dinero_url:
        yield Sandboxes(rackbeat, dinero, rackbeat_url, dinero_url)


@pytest.fixture
def app_config(app_config: dict[str, Any], sandboxes: Sandboxes) -> dict[str, Any]:
    return {
        **app_config,
        "RACKBEAT_BASE_URL": sandboxes.rackbeat_url,
        "DINERO_API_URL": sandboxes.dinero_url,
        "DINERO_AUTH_URL": sandboxes.dinero_url,
        "DINERO_RATE_LIMIT": 6000,
        "RACKBEAT_RATE_LIMIT": 6000,
    }


@pytest.fixture
def connection(make_connection, sandboxes: Sandboxes):
    """The demo Rackbeat account connected to the demo Dinero organization, active."""
    made = make_connection(
        rackbeat_account_id=ACCOUNT_ID,
        rackbeat_access_token=sandboxes.access_token(),
        rackbeat_refresh_token=None,
        dinero_organization_id=ORGANIZATION_ID,
        dinero_api_key=DINERO_API_KEY,
    )
    db.session.add(Settings(connection_id=made.id))
    db.session.commit()
    return made


@pytest.fixture
def new_run(connection):
    """A start sync in a given state (previewing, or pending with the preview's totals)."""

    def make(state: SyncState = SyncState.PENDING, **fields: Any) -> int:
        run = SyncRun(
            connection_id=connection.id,
            kind=SyncKind.START_SYNC,
            state=state,
            counts=fields.pop("counts", {}),
            preview=fields.pop("preview", {}),
            **fields,
        )
        db.session.add(run)
        db.session.commit()
        return run.id

    return make


def fresh_run(run_id: int) -> SyncRun:
    db.session.expire_all()
    return db.session.get(SyncRun, run_id)


def outcomes(run_id: int) -> dict[tuple[str, str], str]:
    """(kind, label) → outcome of every record the run handled."""
    rows = db.session.execute(
        sa.select(SyncRecord.kind, SyncRecord.label, SyncRecord.outcome).where(
            SyncRecord.sync_run_id == run_id
        )
    ).all()
    return {(kind.value, label): outcome.value for kind, label, outcome in rows}
