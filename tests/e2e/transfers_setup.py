"""End-to-end transfer tests' helpers: settings with every matrix, unit and layout mapped
(``sandbox/demo_settings.py``, shared with the demo), booking in Rackbeat, waiting."""

from __future__ import annotations

import time

import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import TransferState
from sandbox.demo_settings import configure

__all__ = ["TERMINAL", "book_in_rackbeat", "configure", "wait_for_transfers"]

TERMINAL = (TransferState.SUCCEEDED, TransferState.FAILED, TransferState.SKIPPED)


def book_in_rackbeat(stack, kind: str, number: int) -> None:
    """Press Book in the Rackbeat sandbox (fires the *.booked webhook)."""
    response = requests.post(f"{stack.rackbeat_url}/{kind}/{number}/book", timeout=10)
    assert response.status_code < 400, response.text


def wait_for_transfers(expected: int, timeout: float = 60) -> list[Transfer]:
    """Wait until ``expected`` transfers exist and none is still open."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        rows = db.session.scalars(sa.select(Transfer).order_by(Transfer.id)).all()
        if len(rows) >= expected and all(row.state in TERMINAL for row in rows):
            return rows
        if time.monotonic() > deadline:
            states = [
                (row.kind.value, row.source_key, row.state.value, row.message) for row in rows
            ]
            raise TimeoutError(f"transfers not finished: {states}")
        time.sleep(0.2)
