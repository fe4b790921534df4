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
"""

from __future__ import annotations

import math
import time
from typing import Any

from rackdinero_app.clients.errors import RateLimited

# KEYS[1] bucket hash {tokens, at_us}
# ARGV capacity, refill per second, max wait in seconds
# Returns the wait in microseconds (>= 0, token taken) or minus the wait (too long, not taken).
_ACQUIRE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at_us')
local tokens = tonumber(state[1])
local at_us = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  at_us = now_us
end
tokens = math.min(capacity, tokens + math.max(0, now_us - at_us) * rate / 1000000)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate
  if wait > max_wait then
    return -math.ceil(wait * 1000000)
  end
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
  'at_us', string.format('%d', now_us))
local idle = math.ceil((capacity - tokens) / rate) + 1
redis.call('EXPIRE', KEYS[1], idle)
return math.ceil(wait * 1000000)
"""


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
        sleep=time.sleep,
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
            self._sleep(wait)
        return wait
