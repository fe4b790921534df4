"""Faults on the way from Rackbeat to Dinero: every booked invoice still lands in Dinero
exactly once, and none is lost.

Each test runs the whole system on loopback (app, ``flask worker`` processes, both sandboxes),
books invoices in Rackbeat, injects one kind of fault, and ends with the same check: one booked
Dinero invoice per Rackbeat invoice (counted by ExternalReference), one contact per customer,
every transfer ``succeeded``.
"""

from __future__ import annotations

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from tests.e2e.fault_helpers import FaultCounter
from tests.e2e.fault_helpers import active_stack
from tests.e2e.fault_helpers import assert_each_invoice_once
from tests.e2e.fault_helpers import book_invoices
from tests.e2e.fault_helpers import deliver_concurrently
from tests.e2e.fault_helpers import fast_transfers
from tests.e2e.fault_helpers import set_dinero_knobs

INVOICES = 15


def retried(transfers: list[Transfer]) -> int:
    return sum(1 for transfer in transfers if transfer.attempts > 1)


def test_every_webhook_delivered_three_times_at_once(app_config, tmp_path, redis):
    with active_stack(app_config, tmp_path, workers=2) as (stack, _):
        numbers = book_invoices(stack, INVOICES, suppress=True)
        statuses = deliver_concurrently(stack, numbers, copies=3)
        assert statuses == {"accepted": INVOICES, "duplicate": 2 * INVOICES}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) == INVOICES
        assert_each_invoice_once(stack, numbers)


def test_timeouts_after_dinero_committed_the_write(app_config, tmp_path, redis, monkeypatch):
    faults = FaultCounter(monkeypatch)
    settings = fast_transfers(DINERO_READ_TIMEOUT=1)
    with active_stack(app_config, tmp_path, settings=settings) as (stack, _):
        set_dinero_knobs(
            stack, seed=7, timeout_after_commit_rate=0.3, timeout_after_commit_seconds=2.5
        )
        numbers = book_invoices(stack, INVOICES)
        transfers = assert_each_invoice_once(stack, numbers)
    assert faults.counts["stalled after commit"] >= 3, faults.counts
    assert retried(transfers) >= 3


def test_one_in_ten_dinero_requests_fails_with_500(app_config, tmp_path, redis, monkeypatch):
    faults = FaultCounter(monkeypatch)
    with active_stack(app_config, tmp_path) as (stack, _):
        set_dinero_knobs(stack, seed=11, error_rate=0.1)
        numbers = book_invoices(stack, 20)
        transfers = assert_each_invoice_once(stack, numbers)
    assert faults.counts["500"] >= 3, faults.counts
    assert retried(transfers) >= 2
