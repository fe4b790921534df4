"""Builders for clients pointed at fake URLs (unit tests) and fakeredis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fakeredis
import pytest

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


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """Every sleep the Dinero client's rate limiter asks for, recorded instead of slept."""
    calls: list[float] = []
    monkeypatch.setattr(ratelimit.time, "sleep", calls.append)
    return calls


@pytest.fixture
def make_dinero(fake_redis) -> Callable[..., DineroClient]:
    def build(**overrides: Any) -> DineroClient:
        options: dict[str, Any] = {
            "client_id": "rackdinero-test",
            "client_secret": CLIENT_SECRET,
            "api_url": API_URL,
            "auth_url": AUTH_URL,
            "redis": fake_redis,
        }
        options.update(overrides)
        return DineroClient(options.pop("organization_id", ORG), API_KEY, **options)

    return build
