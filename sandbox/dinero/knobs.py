"""Fault-injection knobs: latency, random 500s, timeouts after commit, creates answered 201 with
an empty body, rate limit (with or without ``Retry-After``), token lifetime.

Set them with ``create_app({"KNOBS": {...}})`` or ``POST /_sandbox/knobs`` (a partial JSON
object; unknown names or bad values give 400).
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

RETRY_AFTER_MODES = ("always", "never", "alternate")


@dataclass
class RateLimit:
    limit: int = 100
    window_seconds: float = 60.0


@dataclass
class Knobs:
    latency_ms: int = 0
    error_rate: float = 0.0
    timeout_after_commit_rate: float = 0.0
    timeout_after_commit_seconds: float = 30.0
    # The share of committed creates answered "201, empty body" (``created_answers``).
    empty_created_rate: float = 0.0
    rate_limit: RateLimit = field(default_factory=RateLimit)
    retry_after_mode: str = "alternate"
    token_lifetime_seconds: int = 3600
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply ``changes``; raise ``ValueError`` (naming the knob) if any is invalid."""
        unknown = set(changes) - set(self.as_dict())
        if unknown:
            raise ValueError(f"unknown knob(s): {', '.join(sorted(unknown))}")
        merged = {**self.as_dict(), **changes}
        if "rate_limit" in changes:
            merged["rate_limit"] = {**asdict(self.rate_limit), **(changes["rate_limit"] or {})}
        checked = _checked(merged)
        for name, value in checked.items():
            setattr(self, name, value)


def _number(values: dict[str, Any], key: str, low: float, high: float | None = None) -> float:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number")
    if value < low or (high is not None and value > high):
        raise ValueError(
            f"{key} must be >= {low}" + (f" and <= {high}" if high is not None else "")
        )
    return value


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    rate = values["rate_limit"]
    if set(rate) - {"limit", "window_seconds"}:
        raise ValueError("rate_limit takes only limit and window_seconds")
    if values["retry_after_mode"] not in RETRY_AFTER_MODES:
        raise ValueError(f"retry_after_mode must be one of {', '.join(RETRY_AFTER_MODES)}")
    seed = values["seed"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError("seed must be an integer or null")
    return {
        "latency_ms": int(_number(values, "latency_ms", 0)),
        "error_rate": float(_number(values, "error_rate", 0, 1)),
        "timeout_after_commit_rate": float(_number(values, "timeout_after_commit_rate", 0, 1)),
        "timeout_after_commit_seconds": float(_number(values, "timeout_after_commit_seconds", 0)),
        "empty_created_rate": float(_number(values, "empty_created_rate", 0, 1)),
        "rate_limit": RateLimit(
            limit=int(_number(rate, "limit", 1)),
            window_seconds=float(_number(rate, "window_seconds", 0.001)),
        ),
        "retry_after_mode": values["retry_after_mode"],
        "token_lifetime_seconds": int(_number(values, "token_lifetime_seconds", 1)),
        "seed": seed,
    }
