"""Transfer jobs: they take ids, and the transfer row records what happened."""

from __future__ import annotations

from rackdinero_app.jobs import job
from rackdinero_app.transfers import engine


@job
def process_inbox_event(inbox_event_id: int) -> int | None:
    return engine.process_inbox_event(inbox_event_id)


@job
def run_transfer(transfer_id: int) -> None:
    engine.run_transfer(transfer_id)


@job
def sweep() -> dict[str, int]:
    return engine.sweep()
