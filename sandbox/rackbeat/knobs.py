"""Knobs: the behaviours a developer or test can turn up (latency, errors, token life, webhooks)."""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import fields
from typing import Any


@dataclass
class Knobs:
    latency_ms: int = 0
    error_rate: float = 0.0
    fail_after_commit_rate: float = 0.0
    rate_limit_per_minute: int = 0
    access_token_lifetime_seconds: int = 300
    webhook_duplicate_rate: float = 0.0
    # A duplicated delivery is sent 2 to this many times (Rackbeat has been seen sending three).
    webhook_max_copies: int = 2
    # Each copy waits a random 0 to this many ms before it is sent: deliveries arrive out of order.
    webhook_jitter_ms: int = 0
    webhook_retry_base_seconds: float = 1.0
    webhook_max_attempts: int = 8
    # "observed": {key_name, key} only, as real deliveries are; "documented": {key, key_name,
    # event, data} plus old_key/new_key/changed on updated events, as Rackbeat's docs say.
    webhook_body: str = "observed"
    clock_offset_seconds: float = 0.0
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# name -> (type, lowest, highest); None means unbounded.
_RULES: dict[str, tuple[type, float | None, float | None]] = {
    "latency_ms": (int, 0, 60_000),
    "error_rate": (float, 0, 1),
    "fail_after_commit_rate": (float, 0, 1),
    "rate_limit_per_minute": (int, 0, None),
    "access_token_lifetime_seconds": (int, 0, None),
    "webhook_duplicate_rate": (float, 0, 1),
    "webhook_max_copies": (int, 2, 5),
    "webhook_jitter_ms": (int, 0, 60_000),
    "webhook_retry_base_seconds": (float, 0.001, 3600),
    "webhook_max_attempts": (int, 1, 50),
    "clock_offset_seconds": (float, None, None),
    "seed": (int, None, None),
}
# name -> the values a knob that is a choice may take.
_CHOICES: dict[str, tuple[str, ...]] = {"webhook_body": ("observed", "documented")}
assert set(_RULES) | set(_CHOICES) == {f.name for f in fields(Knobs)}


def validate_changes(changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check a partial knob update; return the coerced values and errors keyed by knob."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, raw in changes.items():
        if name in _CHOICES:
            if raw in _CHOICES[name]:
                values[name] = raw
            else:
                errors[name] = [f"The {name} must be one of: {', '.join(_CHOICES[name])}."]
            continue
        if name not in _RULES:
            errors[name] = [f"Unknown knob. Known knobs: {', '.join(sorted(_RULES | _CHOICES))}."]
            continue
        kind, lowest, highest = _RULES[name]
        if raw is None and name == "seed":
            values[name] = None
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            errors[name] = [f"The {name} must be a number."]
            continue
        if kind is int and raw != int(raw):
            errors[name] = [f"The {name} must be an integer."]
            continue
        if (lowest is not None and raw < lowest) or (highest is not None and raw > highest):
            errors[name] = [f"The {name} must be between {lowest} and {highest}."]
            continue
        values[name] = kind(raw)
    return values, errors
