"""Contract B's token refresh: ``POST /api/tokens/replace-current`` on a 401 (then the call once
more), before a token past its replace-by time is used, and daily for old tokens; one refresh
per connection at a time across processes. Against the Rackbeat sandbox over HTTP."""

from __future__ import annotations

import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.tokens import MemoryTokenStore
from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.connections import ConnectionTokenStore
from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import db
from rackdinero_app.install.tokens import replace_due_tokens
from rackdinero_app.models import Connection
from rackdinero_app.tasks import cron
from sandbox.rackbeat.integration import issue_token
from tests.install.conftest import ACCOUNT_ID

REPLACE = "/api/tokens/replace-current"


def integration_token(rackbeat) -> str:
    store = rackbeat.store
    with store.lock:
        return issue_token(store, ACCOUNT_ID, 7, "test-grant").value


def expire(rackbeat, token: str) -> None:
    """Rackbeat no longer takes the token (its lifetime, whatever it is, has passed)."""
    store = rackbeat.store
    store.access_tokens[token].expires_at = store.now() - 1


@pytest.fixture
def contract_b(make_connection, rackbeat) -> Connection:
    return make_connection(
        rackbeat_account_id=ACCOUNT_ID,
        rackbeat_contract="integration",
        rackbeat_access_token=integration_token(rackbeat),
        rackbeat_refresh_token=None,
        rackbeat_token_expires_at=datetime.now(UTC) + timedelta(days=3),
    )


def stored(connection: Connection) -> TokenPair:
    return ConnectionTokenStore(connection.id).load()


def test_a_401_replaces_the_token_and_repeats_the_call_once(rackbeat, contract_b):
    old = stored(contract_b).access_token
    expire(rackbeat, old)

    me = rackbeat_client(contract_b).get_self()

    assert me["user_account"]["id"] == ACCOUNT_ID
    assert [call["path"] for call in rackbeat.calls()] == ["/api/self", REPLACE, "/api/self"]
    fresh = stored(contract_b)
    assert fresh.access_token != old and fresh.refresh_token is None
    # The new token is due for replacement RACKBEAT_TOKEN_REPLACE_DAYS from now.
    assert fresh.expires_at > datetime.now(UTC) + timedelta(days=6)
    assert rackbeat.store.access_tokens[old].revoked  # the old token stops working


def test_a_token_past_its_replace_by_time_is_replaced_before_the_call(rackbeat, contract_b):
    contract_b.rackbeat_token_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()

    rackbeat_client(contract_b).get_self()

    assert [call["path"] for call in rackbeat.calls()] == [REPLACE, "/api/self"]


def test_a_refused_replacement_asks_for_a_reinstall(rackbeat, contract_b):
    token = stored(contract_b).access_token
    rackbeat.store.access_tokens[token].revoked = True  # uninstalled without us hearing of it
    with pytest.raises(AuthFailed) as refused:
        rackbeat_client(contract_b).get_self()
    assert refused.value.message_code == "rackbeat_reinstall"
    assert stored(contract_b).access_token == token


class SharedStore(MemoryTokenStore):
    """One stored token read and written by several threads, as the row is by workers."""

    def __init__(self, pair: TokenPair) -> None:
        super().__init__("connection-shared", pair)
        self._lock = threading.Lock()
        self.saves = 0

    def load(self) -> TokenPair:
        with self._lock:
            return super().load()

    def save(self, pair: TokenPair) -> None:
        with self._lock:
            super().save(pair)
            self.saves += 1


def test_concurrent_refreshers_replace_once_and_the_others_reread(rackbeat, redis, app):
    token = integration_token(rackbeat)
    expire(rackbeat, token)
    tokens = SharedStore(TokenPair(token))
    results: list[Any] = []
    start = threading.Barrier(6)

    def call() -> None:
        client = RackbeatClient.from_config(app.config, tokens, contract="integration", redis=redis)
        start.wait()
        try:
            results.append(client.get_self()["user_account"]["id"])
        except Exception as error:  # reported by the assertion below
            results.append(error)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert results == [ACCOUNT_ID] * 6
    assert len(rackbeat.calls(REPLACE)) == 1
    assert tokens.saves == 1


def test_the_daily_job_replaces_only_old_contract_b_tokens(rackbeat, contract_b, make_connection):
    old = make_connection(
        rackbeat_account_id=ACCOUNT_ID + 1,
        rackbeat_contract="integration",
        rackbeat_token_expires_at=datetime.now(UTC) - timedelta(hours=1),
    )
    oauth = make_connection(
        rackbeat_contract="oauth", rackbeat_token_expires_at=datetime.now(UTC) - timedelta(days=9)
    )
    # The sandbox knows the old connection's token under its own account.
    store = rackbeat.store
    with store.lock:
        old.rackbeat_access_token = issue_token(store, ACCOUNT_ID, 7, "old").value
    db.session.commit()
    before = {c.id: stored(c).access_token for c in (contract_b, old, oauth)}

    assert replace_due_tokens() == {"replaced": 1, "failed": 0}

    after = {c.id: stored(c).access_token for c in (contract_b, old, oauth)}
    assert after[old.id] != before[old.id]
    assert after[contract_b.id] == before[contract_b.id]  # not due yet
    assert after[oauth.id] == before[oauth.id]  # contract A refreshes on use
    assert len(rackbeat.calls(REPLACE)) == 1


def test_the_daily_job_is_declared_in_cron(app):
    from rackdinero_app.extensions import rq
    from rackdinero_app.worker import LeaderCron

    jobs = {
        job.func_name: job
        for job in cron.declare(LeaderCron(connection=rq.redis), app.config).get_jobs()
    }
    declared = jobs["rackdinero_app.tasks.rackbeat_tokens.replace_rackbeat_tokens"]
    assert declared.cron == cron.RACKBEAT_TOKENS_CRON == "17 3 * * *"
