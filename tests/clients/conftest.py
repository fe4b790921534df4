"""Builders for clients pointed at fake URLs (unit tests) and fakeredis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fakeredis
import pytest
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken

from rackdinero_app.clients import ratelimit
from rackdinero_app.clients.dinero import DineroClient

API_KEY = "dinero-api-key-SECRET-1234567890"
CLIENT_SECRET = "client-secret-SECRET-abcdef"
API_URL = "https://api.dinero.test"
AUTH_URL = "https://authz.dinero.test"
ORG = 400555


@pytest.fixture
def fake_redis() -> fakeredis.FakeRedis:
    return fakeredis.FakeRedis()


class FernetSealer:
    """What the app passes as a ``Sealer`` (its MultiFernet keys), with a key of its own."""

    def __init__(self, key: bytes | None = None) -> None:
        self.fernet = Fernet(key or Fernet.generate_key())

    def encrypt(self, plaintext: str) -> str:
        return self.fernet.encrypt(plaintext.encode()).decode()

    def decrypt_or_none(self, token: str) -> str | None:
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None


@pytest.fixture
def sealer() -> FernetSealer:
    return FernetSealer()


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """Every sleep the Dinero client's rate limiter asks for, recorded instead of slept."""
    calls: list[float] = []
    monkeypatch.setattr(ratelimit.time, "sleep", calls.append)
    return calls


@pytest.fixture
def make_dinero(fake_redis, sealer) -> Callable[..., DineroClient]:
    def build(**overrides: Any) -> DineroClient:
        options: dict[str, Any] = {
            "client_id": "rackdinero-test",
            "client_secret": CLIENT_SECRET,
            "api_url": API_URL,
            "auth_url": AUTH_URL,
            "redis": fake_redis,
            "sealer": sealer,
        }
        options.update(overrides)
        return DineroClient(options.pop("organization_id", ORG), API_KEY, **options)

    return build
