"""When to try a transient failure again: exponential backoff with full jitter."""

from __future__ import annotations

import random

BASE_SECONDS = 2.0
CAP_SECONDS = 600.0
MAX_ATTEMPTS = 8


def backoff_seconds(
    attempt: int,
    retry_after: float | None = None,
    *,
    base: float = BASE_SECONDS,
    cap: float = CAP_SECONDS,
    rng: random.Random | None = None,
) -> float:
    """Full jitter: uniform in [0, min(cap, base·2^(attempt−1))], never before Retry-After."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    delay = (rng or random).uniform(0, ceiling)
    return max(delay, retry_after or 0.0)
