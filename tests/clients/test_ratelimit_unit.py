"""The Redis token bucket: burst, steady rate, reservation order, max wait, shared state."""

from __future__ import annotations

import fakeredis
import pytest

from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.ratelimit import RateLimiter


def make_limiter(redis, key: str = "bucket", **options) -> tuple[RateLimiter, list[float]]:
    waits: list[float] = []
    # A real-length window: the wall time the test itself takes refills next to nothing.
    options = {"limit": 100, "window": 60.0, **options}
    return RateLimiter(redis, key, sleep=waits.append, **options), waits


def test_burst_is_at_most_capacity_then_waits_grow_at_the_refill_rate():
    limiter, _ = make_limiter(fakeredis.FakeRedis())
    assert limiter.capacity == 1
    assert limiter.rate == pytest.approx(97 / 60)

    # A very long window, so wall time spent by the test (a slow CI machine, the Lua runtime
    # starting) is negligible next to one refill interval (6000/97 s ≈ 62 s).
    slow, _ = make_limiter(fakeredis.FakeRedis(), window=6000.0, max_wait=10_000.0)
    results = [slow.acquire() for _ in range(10)]

    assert results[0] == 0.0
    # Each reservation queues one refill interval behind the previous one.
    for index, wait in enumerate(results[1:], start=1):
        assert wait == pytest.approx(index * 6000 / 97, abs=2.0)


def test_no_window_admits_more_than_the_limit():
    """Over any window the bucket admits at most capacity + rate * window <= limit."""
    limiter, _ = make_limiter(fakeredis.FakeRedis(), max_wait=1000.0)
    starts = []
    elapsed = 0.0
    for _ in range(300):
        elapsed = max(elapsed, limiter.acquire())
        starts.append(elapsed)
    in_first_window = sum(1 for start in starts if start < 60.0)
    assert in_first_window <= 100
    assert in_first_window >= 96


def test_a_wait_beyond_max_wait_raises_and_takes_no_token():
    redis = fakeredis.FakeRedis()
    limiter, _ = make_limiter(redis, max_wait=2.0)
    for _ in range(4):
        limiter.acquire()
    tokens_before = float(redis.hget("bucket", "tokens"))
    with pytest.raises(RateLimited) as caught:
        limiter.acquire()
    assert caught.value.retry_after > 2.0
    assert float(redis.hget("bucket", "tokens")) == pytest.approx(tokens_before, abs=0.5)


def test_limiters_with_the_same_key_share_one_bucket():
    redis = fakeredis.FakeRedis()
    first, _ = make_limiter(redis)
    second, _ = make_limiter(redis)
    other, _ = make_limiter(redis, key="other-org")
    assert first.acquire() == 0.0
    assert second.acquire() > 0.0
    assert other.acquire() == 0.0


def test_the_bucket_key_expires_when_idle():
    redis = fakeredis.FakeRedis()
    limiter, _ = make_limiter(redis, window=1.0)
    limiter.acquire()
    assert 0 < redis.ttl("bucket") <= 3


@pytest.mark.redis
def test_script_runs_on_real_redis(redis):
    limiter, _ = make_limiter(redis)
    assert [limiter.acquire() > 0 for _ in range(3)] == [False, True, True]


def test_a_block_holds_every_caller_until_it_ends_then_spaces_them():
    redis = fakeredis.FakeRedis()
    limiter, _ = make_limiter(redis, max_wait=100.0)
    limiter.block(30.0)

    first, second = limiter.acquire(), make_limiter(redis, max_wait=100.0)[0].acquire()

    assert first == pytest.approx(30.0, abs=0.5)
    # The next one leaves one refill interval later, not in the same instant.
    assert second == pytest.approx(30.0 + 60 / 97, abs=0.5)


def test_a_block_beyond_max_wait_raises_with_the_wait_and_sends_nothing():
    limiter, _ = make_limiter(fakeredis.FakeRedis(), max_wait=10.0)
    limiter.block(60.0)
    with pytest.raises(RateLimited) as caught:
        limiter.acquire()
    assert caught.value.retry_after == pytest.approx(60.0, abs=0.5)


def test_a_shorter_block_does_not_shorten_a_longer_one():
    limiter, _ = make_limiter(fakeredis.FakeRedis(), max_wait=100.0)
    limiter.block(40.0)
    limiter.block(5.0)
    assert limiter.acquire() == pytest.approx(40.0, abs=0.5)


@pytest.mark.redis
def test_block_runs_on_real_redis(redis):
    limiter, _ = make_limiter(redis, key="blocked-bucket", max_wait=100.0)
    limiter.block(3.0)
    assert limiter.acquire() == pytest.approx(3.0, abs=0.5)
    assert redis.ttl("blocked-bucket") >= 3
