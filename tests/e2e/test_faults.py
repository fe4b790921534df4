"""Faults on the way from Rackbeat to Dinero: every booked invoice still lands in Dinero
exactly once, and none is lost.

Each test runs the whole system on loopback (app, ``flask worker`` processes, both sandboxes),
books invoices in Rackbeat, injects one kind of fault, and ends with the same check: one booked
Dinero invoice per Rackbeat invoice (counted by ExternalReference), one contact per customer,
every transfer ``succeeded``.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import InboxEvent
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import TransferState
from tests.e2e.fault_helpers import FaultCounter
from tests.e2e.fault_helpers import RedisProcess
from tests.e2e.fault_helpers import active_stack
from tests.e2e.fault_helpers import assert_each_invoice_once
from tests.e2e.fault_helpers import book_invoices
from tests.e2e.fault_helpers import deliver_concurrently
from tests.e2e.fault_helpers import dinero_records
from tests.e2e.fault_helpers import fast_transfers
from tests.e2e.fault_helpers import invoice_transfers
from tests.e2e.fault_helpers import rackbeat_store
from tests.e2e.fault_helpers import set_dinero_knobs

pytestmark = pytest.mark.backends("postgresql")
INVOICES = 15


def retried(transfers: list[Transfer]) -> int:
    return sum(1 for transfer in transfers if transfer.attempts > 1)


def test_every_webhook_delivered_three_times_at_once(app_config, tmp_path, redis):
    with active_stack(app_config, tmp_path, workers=2) as (stack, _):
        numbers = book_invoices(stack, INVOICES, suppress=True)
        statuses = deliver_concurrently(stack, numbers, copies=3)
        # A copy is a duplicate while the first still waits for its job; one that arrives once
        # the job has started is new work (and finds the invoice's transfer there already).
        assert set(statuses) <= {"accepted", "duplicate"}
        assert statuses.total() == 3 * INVOICES and statuses["accepted"] >= INVOICES
        received = db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent))
        assert received == statuses["accepted"]
        assert_each_invoice_once(stack, numbers)


def test_timeouts_after_dinero_committed_the_write(app_config, tmp_path, redis, monkeypatch):
    faults = FaultCounter(monkeypatch)
    settings = fast_transfers(DINERO_READ_TIMEOUT=1)
    with active_stack(app_config, tmp_path, settings=settings, workers=2) as (stack, _):
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


def test_429_storms_the_app_was_not_told_about(app_config, tmp_path, redis, monkeypatch):
    faults = FaultCounter(monkeypatch)
    # The app believes Dinero allows 200 per 2 seconds (6000 a minute); the sandbox allows 6
    # per 2 seconds and answers with and without Retry-After in turn. A bare 429 holds every
    # worker for the app's whole window, so few reach Dinero once the first came (they are
    # counted by tests/e2e/test_purchase_voucher_faults.py, where every 429 is bare).
    settings = fast_transfers(DINERO_RATE_LIMIT=200, DINERO_RATE_WINDOW=2)
    with active_stack(app_config, tmp_path, settings=settings, workers=2) as (stack, _):
        set_dinero_knobs(
            stack, rate_limit={"limit": 6, "window_seconds": 2}, retry_after_mode="alternate"
        )
        numbers = book_invoices(stack, INVOICES)
        assert_each_invoice_once(stack, numbers, timeout=90)
    assert faults.counts["429 with Retry-After"] >= 3, faults.counts


def test_a_worker_killed_mid_transfer_is_finished_by_the_lease_and_sweeper(
    app_config, tmp_path, redis
):
    settings = fast_transfers(TRANSFER_LEASE_SECONDS=5)
    with active_stack(app_config, tmp_path, settings=settings) as (stack, _):
        set_dinero_knobs(stack, latency_ms=150)
        numbers = book_invoices(stack, 10)
        # Kill the moment an invoice is created in Dinero but not yet booked: the write is
        # committed there, and the transfer row still says "running".
        draft = wait_for(lambda: our_drafts(stack), timeout=30)
        stack.workers.kill()
        by_reference = {reference(t.source_key): t for t in invoice_transfers()}
        cut_off = [by_reference[ref] for ref in draft]
        assert any(t.state == TransferState.RUNNING for t in cut_off), cut_off
        stack.workers.start()
        transfers = assert_each_invoice_once(stack, numbers)
        finished = {reference(t.source_key): t for t in transfers}
        assert all(finished[ref].attempts >= 2 for ref in draft)


def test_redis_stopped_and_restarted_empty_mid_run(app_config, tmp_path):
    server = RedisProcess()
    server.start()
    try:
        config = {**app_config, "REDIS_URL": server.url}
        settings = fast_transfers(TRANSFER_LEASE_SECONDS=5)
        with active_stack(config, tmp_path, settings=settings) as (stack, _):
            set_dinero_knobs(stack, latency_ms=100)
            before = book_invoices(stack, 8)
            wait_for(lambda: succeeded_count() >= 2, timeout=30)
            server.stop()
            during = book_invoices(stack, 8)
            outbox = rackbeat_store(stack).outbox
            assert outbox.wait_idle(30)
            deliveries = [e for e in outbox.logs() if e["event"] == "customer_invoice.booked"]
            assert len(deliveries) == 16 and all(e["success"] for e in deliveries), deliveries
            received = db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent))
            assert received == 16
            time.sleep(3)
            server.start()
            assert_each_invoice_once(stack, before + during, timeout=90)
            alive = [p.poll() is None for p in stack.workers.processes]
            assert alive == [True], "the worker did not survive the Redis restart"
    finally:
        server.close()


def reference(source_key: str) -> str:
    return f"rackbeat:12345:customer_invoice:{source_key}"


def our_drafts(stack) -> list[str]:
    return [
        invoice["ExternalReference"]
        for invoice in dinero_records(stack, "invoices")
        if invoice["Status"] == "Draft"
        and str(invoice.get("ExternalReference") or "").startswith("rackbeat:12345:")
    ]


def succeeded_count() -> int:
    return sum(1 for t in invoice_transfers() if t.state == TransferState.SUCCEEDED)


def wait_for(condition, timeout: float):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)
    return result
