"""Dinero access tokens cached in Redis are sealed with the app's keys (issue 13), and a cached
token no configured key reads is fetched again, never an error; against the Dinero sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from rackdinero_app.clients.dinero.auth import access_token_key
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.connections import dinero_client
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import rq
from sandbox.dinero import create_app as create_dinero
from sandbox.dinero import state
from tests.servers import serve_app
from tests.visma_steps import LARS
from tests.visma_steps import issue_tokens
from tests.visma_steps import refreshes

API_KEY = "demo-dinero-api-key"
ORGANIZATION_ID = 400555
API_KEY_TOKENS = "rackdinero:dinero:token:*"


@pytest.fixture
def dinero() -> Iterator[Flask]:
    app = create_dinero({"VALIDATE_RESPONSES": True})
    with serve_app(app) as url:
        app.config["URL"] = url
        yield app


@pytest.fixture
def app_config(app_config, dinero: Flask):
    url = dinero.config["URL"]
    return {
        **app_config,
        "DINERO_API_URL": url,
        "DINERO_AUTH_URL": url,
        "VISMA_CONNECT_URL": f"{url}/visma-connect",
    }


def issued(dinero: Flask) -> set[str]:
    """The access tokens the sandbox handed out for API keys."""
    with dinero.app_context():
        return set(state.current().tokens)


def cached_api_key_tokens() -> list[str]:
    return [rq.redis.get(key).decode() for key in rq.redis.keys(API_KEY_TOKENS)]


def foreign_seal(plaintext: str) -> str:
    """Sealed with a key the app does not have (one removed after `crypto rotate`)."""
    return Fernet(Fernet.generate_key()).encrypt(plaintext.encode()).decode()


def test_an_api_key_access_token_is_cached_encrypted_and_shared(app, dinero):
    dinero_client(ORGANIZATION_ID, API_KEY).organizations()

    (cached,) = cached_api_key_tokens()
    (token,) = issued(dinero)
    assert token not in cached
    assert crypto.decrypt(cached) == token
    # Another process (another client) reuses it rather than signing in again.
    dinero_client(ORGANIZATION_ID, API_KEY).organizations()
    assert issued(dinero) == {token}


def test_a_cached_api_key_token_no_key_reads_is_fetched_again(app, dinero):
    dinero_client(ORGANIZATION_ID, API_KEY).organizations()
    (key,) = rq.redis.keys(API_KEY_TOKENS)
    rq.redis.set(key, foreign_seal("a-token-from-before"), ex=600)

    organizations = dinero_client(ORGANIZATION_ID, API_KEY).organizations()

    assert [o["Id"] for o in organizations] == [ORGANIZATION_ID]
    assert len(issued(dinero)) == 2
    (cached,) = cached_api_key_tokens()
    assert crypto.decrypt(cached) in issued(dinero)


def test_a_cached_visma_token_no_key_reads_is_a_miss(app, dinero, make_connection):
    connection = make_connection(
        dinero_organization_id=ORGANIZATION_ID,
        dinero_api_key=None,
        dinero_sign_in="visma_connect",
        dinero_refresh_token=issue_tokens(dinero, LARS),
    )
    cache = access_token_key(f"connection-{connection.id}")
    rq.redis.set(cache, foreign_seal("a-token-from-before"), ex=600)

    organizations = connection_dinero_client(connection).organizations()

    assert [o["Id"] for o in organizations] == [ORGANIZATION_ID]
    assert refreshes(dinero) == 1
    assert crypto.decrypt(rq.redis.get(cache).decode()) != "a-token-from-before"
