"""Access tokens of a Visma Connect sign-in: rotating refresh tokens stored at once, one
refresh at a time across processes, and a revoked grant as a typed error that marks the
connection's sign-in lost."""

from __future__ import annotations

import threading

import pytest
import requests

from rackdinero_app.clients.errors import SignInRevoked
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.connections import visma_connect
from rackdinero_app.connections import visma_tokens
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from tests.visma_steps import LARS
from tests.visma_steps import issue_tokens
from tests.visma_steps import refreshes
from tests.visma_steps import revoke


@pytest.fixture
def signed_in(make_connection, dinero) -> Connection:
    return make_connection(
        dinero_organization_id=400555,
        dinero_api_key=None,
        dinero_sign_in="visma_connect",
        dinero_refresh_token=issue_tokens(dinero.app, LARS),
    )


def stored(db, connection_id: int) -> Connection:
    db.session.expire_all()
    return db.session.get(Connection, connection_id)


def cache_key(connection: Connection) -> str:
    return f"rackdinero:dinero:visma-token:connection-{connection.id}"


def refresh_requests(dinero) -> int:
    return dinero.app.extensions["visma_connect"].token_requests["refresh_token"]


def test_each_refresh_stores_the_rotated_refresh_token(db, signed_in, dinero):
    first = signed_in.dinero_refresh_token

    organizations = connection_dinero_client(signed_in).organizations(fields="id,name,isPro")
    assert [o["Id"] for o in organizations] == [400555]
    second = stored(db, signed_in.id).dinero_refresh_token
    assert second and second != first
    assert refreshes(dinero.app) == 1

    # Another client (another process) uses the cached access token: no refresh.
    connection_dinero_client(signed_in).organizations()
    assert refreshes(dinero.app) == 1

    # Without the cache, the stored (rotated) token is the one that works; the first is spent.
    rq.redis.delete(cache_key(signed_in))
    connection_dinero_client(signed_in).organizations()
    assert refreshes(dinero.app) == 2
    assert stored(db, signed_in.id).dinero_refresh_token not in (first, second)
    with pytest.raises(SignInRevoked):
        visma_connect().refresh(first)


def test_two_processes_refreshing_at_once_exchange_the_refresh_token_once(
    app, db, signed_in, dinero
):
    requests.post(
        f"{dinero.visma_url}/_sandbox/knobs", json={"token_latency_ms": 300}, timeout=5
    ).raise_for_status()
    start = threading.Barrier(2)
    tokens: list[str] = []
    failures: list[BaseException] = []
    # Read here: an expired attribute of the test's session must not be loaded by two
    # threads at once (SQLAlchemy refuses concurrent use of one session).
    connection_id = signed_in.id

    def process() -> None:
        with app.app_context():
            source = visma_tokens(connection_id)
            start.wait()
            try:
                tokens.append(source.token())
            except BaseException as error:
                failures.append(error)

    threads = [threading.Thread(target=process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert failures == []
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert refresh_requests(dinero) == 1
    assert stored(db, signed_in.id).dinero_sign_in_lost_at is None


def test_a_revoked_grant_is_a_typed_error_and_marks_the_sign_in_lost(db, signed_in, dinero):
    revoke(dinero.app, LARS)
    with pytest.raises(SignInRevoked) as raised:
        connection_dinero_client(signed_in).organizations()
    assert raised.value.message_code == "dinero_sign_in_revoked"
    assert "sign in again" in str(raised.value)
    assert signed_in.dinero_refresh_token not in str(raised.value)
    assert stored(db, signed_in.id).dinero_sign_in_lost_at is not None

    # Once lost, the app does not keep asking Visma with a token it knows is refused.
    asked = refresh_requests(dinero)
    with pytest.raises(SignInRevoked):
        connection_dinero_client(stored(db, signed_in.id)).organizations()
    assert refresh_requests(dinero) == asked


def test_dinero_refusing_a_cached_token_leads_to_a_refresh(db, signed_in, dinero):
    client = connection_dinero_client(signed_in)
    client.organizations()
    # Visma's access tokens die with their grant in the sandbox; a new grant's refresh token
    # is then what the connection holds (as after signing in again).
    revoke(dinero.app, LARS)
    connection = stored(db, signed_in.id)
    connection.dinero_refresh_token = issue_tokens(dinero.app, LARS)
    db.session.commit()
    assert [o["Id"] for o in connection_dinero_client(connection).organizations()] == [400555]
    assert stored(db, signed_in.id).dinero_sign_in_lost_at is None


def test_the_cached_access_token_is_encrypted(db, signed_in, dinero):
    connection_dinero_client(signed_in).organizations()
    cached = rq.redis.get(cache_key(signed_in)).decode()
    issued = dinero.app.extensions["visma_connect"].access_tokens
    assert cached not in issued and crypto.decrypt(cached) in issued
