"""Counts per kind, as the preview and the progress bar show them (plain dicts, stored as JSON).

A preview holds ``{kind: {outcome: n}, "reasons": {kind: {code: n}}}``; a run holds
``{kind: {"total", "done", "created", "linked", "skipped", "failed"}}``, its totals taken from
the preview (a record added in Dinero since makes ``done`` pass ``total``, which then grows).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rackdinero_app.sync.rules import KINDS
from rackdinero_app.sync.rules import Decision

OUTCOMES = ("created", "linked", "skipped", "failed")


def empty_preview() -> dict[str, Any]:
    preview: dict[str, Any] = {kind.value: dict.fromkeys(OUTCOMES, 0) for kind in KINDS}
    preview["reasons"] = {kind.value: {} for kind in KINDS}
    return preview


def add_to_preview(preview: dict[str, Any], kind: str, decision: Decision) -> None:
    preview[kind][decision.outcome.value] += 1
    if decision.outcome.value in ("skipped", "failed") and decision.reason is not None:
        reasons = preview["reasons"][kind]
        reasons[decision.reason.code] = reasons.get(decision.reason.code, 0) + 1


def run_counts(preview: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """A run's counts before it starts: every kind's total from the preview, nothing done."""
    counts = {}
    for kind in KINDS:
        expected = preview.get(kind.value) or {}
        counts[kind.value] = {
            "total": sum(int(expected.get(outcome, 0)) for outcome in OUTCOMES),
            "done": 0,
            **dict.fromkeys(OUTCOMES, 0),
        }
    return counts


def add_to_run(counts: dict[str, dict[str, int]], kind: str, outcome: str) -> None:
    entry = counts.setdefault(kind, {"total": 0, "done": 0, **dict.fromkeys(OUTCOMES, 0)})
    entry[outcome] += 1
    entry["done"] += 1
    entry["total"] = max(entry["total"], entry["done"])


def finished(counts: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """The counts of a finished run: its totals are what was done."""
    return {kind: {**entry, "total": entry["done"]} for kind, entry in counts.items()}


def bars(counts: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """What the progress bar shows per kind: done of total."""
    return {
        kind.value: {
            "done": int((counts.get(kind.value) or {}).get("done", 0)),
            "total": int((counts.get(kind.value) or {}).get("total", 0)),
        }
        for kind in KINDS
    }


def checked(preview: Mapping[str, Any]) -> int:
    """How many items a preview has looked at so far."""
    return sum(
        int((preview.get(kind.value) or {}).get(outcome, 0))
        for kind in KINDS
        for outcome in OUTCOMES
    )
