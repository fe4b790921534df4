"""A token bucket in Redis per Dinero organization or Rackbeat account, shared by every process
and machine.

Dinero allows ``limit`` requests per ``window`` seconds per organization; Rackbeat's own client
keeps to 480 a minute per account, so the app does too. The bucket refills at
``limit * (1 - margin) / window`` tokens a second and holds at most ``capacity`` tokens, so any
stretch of ``window + d`` seconds admits at most ``capacity + rate * (window + d)`` requests.
Half the margin goes to ``capacity`` (the burst) and half is left for ``d``, the jitter between
leaving the bucket and arriving at the server, so the server's limit is never exceeded whether
it counts in fixed or sliding windows.

The script reserves: a caller that must wait takes its token now (the count goes negative) and
sleeps until its turn, so waiting callers are served in order without polling. The clock is
Redis's own, so processes on different machines agree.

``block(seconds)`` is what a 429 teaches: the server's window is spent, so no process may send
before it has passed. It moves the bucket's clock (``at_us``) into the future with one token
left, so every ``acquire()`` in any process waits for that moment and the callers queued behind
it leave one refill interval apart, not all at once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from rackdinero_app.clients.errors import RateLimited

# Both scripts start by reading the bucket as it is now (``capacity``, ``rate`` and ``now_us``
# are set before): its tokens, refilled since at_us.
_STATE = """
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at_us')
local tokens = tonumber(state[1])
local at_us = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  at_us = now_us
end
tokens = math.min(capacity, tokens + math.max(0, now_us - at_us) * rate / 1000000)
"""

# KEYS[1] bucket hash {tokens, at_us}: the tokens it holds at the moment at_us (microseconds,
# Redis's clock). at_us lies in the future while the bucket is blocked; it refills only after.
# ARGV capacity, refill per second, max wait in seconds
# Returns the wait in microseconds (>= 0, token taken) or minus the wait (too long, not taken).
_ACQUIRE = (
    """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
"""
    + _STATE
    + """local start_us = math.max(now_us, at_us)
local wait = (start_us - now_us) / 1000000
if tokens < 1 then
  wait = wait + (1 - tokens) / rate
end
if wait > max_wait then
  return -math.ceil(wait * 1000000)
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
  'at_us', string.format('%d', start_us))
local idle = math.ceil((start_us - now_us) / 1000000 + (capacity - tokens) / rate) + 1
redis.call('EXPIRE', KEYS[1], idle)
return math.ceil(wait * 1000000)
"""
)

# KEYS[1] bucket hash; ARGV capacity, refill per second, seconds to block.
# No token is given before now + seconds; then one, or the reservations already queued go first.
_BLOCK = (
    """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local until_us = now_us + math.ceil(tonumber(ARGV[3]) * 1000000)
"""
    + _STATE
    + """if at_us > until_us then
  return 0
end
if tokens >= 0 then
  tokens = 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
  'at_us', string.format('%d', until_us))
local idle = math.ceil((until_us - now_us) / 1000000 + capacity / rate) + 1
redis.call('EXPIRE', KEYS[1], idle)
return 1
"""
)


class RateLimiter:
    """``acquire()`` before each request; it sleeps until the request may go."""

    def __init__(
        self,
        redis: Any,
        key: str,
        *,
        limit: int = 100,
        window: float = 60.0,
        margin: float = 0.03,
        max_wait: float = 30.0,
        budget_code: str = "dinero_request_budget",
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.redis = redis
        self.key = key
        self.limit = limit
        self.window = window
        self.capacity = max(1, math.floor(limit * margin / 2))
        self.rate = limit * (1 - margin) / window
        self.max_wait = max_wait
        # The message (clients/errors.py) when a request would wait longer than ``max_wait``.
        self.budget_code = budget_code
        self._sleep = sleep
        self._script = redis.register_script(_ACQUIRE)
        self._block = redis.register_script(_BLOCK)

    def acquire(self) -> float:
        """Take one token, sleeping as long as needed; return the seconds slept.

        Raises ``RateLimited`` instead of waiting longer than ``max_wait``.
        """
        result = int(self._script(keys=[self.key], args=[self.capacity, self.rate, self.max_wait]))
        if result < 0:
            raise RateLimited(
                message_code=self.budget_code,
                retry_after=-result / 1_000_000,
                status=None,
            )
        wait = result / 1_000_000
        if wait:
            (self._sleep or time.sleep)(wait)
        return wait

    def block(self, seconds: float) -> None:
        """Send nothing for ``seconds`` from now, in every process (a 429 said the window is
        spent); a longer block already in place stays."""
        self._block(keys=[self.key], args=[self.capacity, self.rate, max(0.0, seconds)])
