"""The month-end reconciliation's job (RC1)."""

from __future__ import annotations

from rackdinero_app.jobs import job
from rackdinero_app.reconcile import runner


@job
def reconcile(reconciliation_id: int) -> None:
    runner.run(reconciliation_id)
