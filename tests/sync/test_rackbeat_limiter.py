"""Every Rackbeat request of the app waits its turn in one bucket per Rackbeat account
(RACKBEAT_RATE_LIMIT requests per RACKBEAT_RATE_WINDOW seconds, 480/60 s by default)."""

from __future__ import annotations

import time

import pytest

from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.tokens import MemoryTokenStore
from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.connections import rackbeat_client
from tests.sync.conftest import ACCOUNT_ID

pytestmark = pytest.mark.redis


class CountingLimiter:
    def __init__(self) -> None:
        self.acquired = 0

    def acquire(self) -> float:
        self.acquired += 1
        return 0.0


def test_each_request_and_each_page_takes_a_turn(app, sandboxes):
    limiter = CountingLimiter()
    client = RackbeatClient(
        sandboxes.rackbeat_url,
        MemoryTokenStore("c", TokenPair(sandboxes.access_token())),
        limiter=limiter,
    )
    list(client.iter_customers(limit=2))  # six customers: three pages
    client.get_self()
    assert limiter.acquired == 4


def test_the_apps_client_shares_the_accounts_bucket_with_the_configured_rate(app, connection):
    app.config.update(RACKBEAT_RATE_LIMIT=480, RACKBEAT_RATE_WINDOW=60)
    limiter = rackbeat_client(connection)._limiter
    assert limiter.key == f"rackdinero:rackbeat:ratelimit:{ACCOUNT_ID}"
    assert (limiter.limit, limiter.window) == (480, 60.0)
    assert limiter.rate == pytest.approx(480 * 0.97 / 60)
    assert limiter.budget_code == "rackbeat_rate_limited"


def test_requests_are_paced_under_the_limit_and_rackbeat_never_says_429(app, connection, sandboxes):
    app.config["RACKBEAT_RATE_LIMIT"] = 600  # 9.7 a second after the margin, a burst of 9
    sandboxes.store.set_knobs({"rate_limit_per_minute": 600})
    client = rackbeat_client(connection)
    limiter = client._limiter

    started = time.monotonic()
    for _ in range(30):
        client.get_customer(1)
    elapsed = time.monotonic() - started

    assert (limiter.capacity, round(limiter.rate, 1)) == (9, 9.7)
    assert elapsed >= (30 - limiter.capacity) / limiter.rate - 0.2
    assert sandboxes.store.api_requests[ACCOUNT_ID] == 30
