"""The API-key grant's token cache in Redis (mocked HTTP): sealed, or not kept in Redis at all."""

from __future__ import annotations

import pytest
import responses

from tests.clients.conftest import API_URL
from tests.clients.conftest import AUTH_URL
from tests.clients.conftest import ORG
from tests.clients.conftest import FernetSealer

TOKEN_URL = f"{AUTH_URL}/dineroapi/oauth/token"
ACCOUNTS = f"{API_URL}/v1/{ORG}/accounts/entry"
TOKEN = "access-token-PLAINTEXT-1"


@pytest.fixture
def mocked():
    with responses.RequestsMock() as mock:
        mock.post(
            TOKEN_URL, json={"access_token": TOKEN, "token_type": "Bearer", "expires_in": 600}
        )
        mock.get(ACCOUNTS, json=[])
        yield mock


def stored(fake_redis) -> list[bytes]:
    return [fake_redis.get(key) for key in fake_redis.keys("rackdinero:dinero:token:*")]


def test_the_cached_token_is_sealed(mocked, make_dinero, fake_redis, sealer):
    make_dinero().entry_accounts()

    (value,) = stored(fake_redis)
    assert b"PLAINTEXT" not in value
    assert sealer.decrypt_or_none(value.decode()) == TOKEN


def test_a_cached_token_sealed_with_another_key_is_fetched_again(mocked, make_dinero, fake_redis):
    make_dinero(sealer=FernetSealer()).entry_accounts()

    make_dinero().entry_accounts()  # the fixture's sealer has a key of its own

    mocked.assert_call_count(TOKEN_URL, 2)


def test_without_a_sealer_nothing_is_kept_in_redis(mocked, make_dinero, fake_redis):
    client = make_dinero(sealer=None)
    client.entry_accounts()
    client.entry_accounts()

    assert stored(fake_redis) == []
    mocked.assert_call_count(TOKEN_URL, 1)  # the client keeps its own token while it lasts
