"""Look-alike supplier invoices through the whole system (webhooks, ``flask worker``
processes, both sandboxes) while every Dinero write is answered only after the app's read
timeout: each invoice still ends as its own booked voucher with its own document."""

from __future__ import annotations

from collections import Counter

import pytest
import requests

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from sandbox.rackbeat.records.invoices import SUPPLIER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from tests.e2e.fault_helpers import ACCOUNT_ID
from tests.e2e.fault_helpers import ORGANIZATION_ID
from tests.e2e.fault_helpers import FaultCounter
from tests.e2e.fault_helpers import active_stack
from tests.e2e.fault_helpers import assert_each_invoice_once
from tests.e2e.fault_helpers import book_invoices
from tests.e2e.fault_helpers import dinero_records
from tests.e2e.fault_helpers import fast_transfers
from tests.e2e.fault_helpers import rackbeat_store
from tests.e2e.fault_helpers import set_dinero_knobs
from tests.e2e.transfers_setup import book_in_rackbeat
from tests.e2e.transfers_setup import wait_for_transfers

pytestmark = pytest.mark.backends("postgresql")
REFERENCE = f"rackbeat:{ACCOUNT_ID}:{EntityKind.SUPPLIER_INVOICE}:"


def look_alike_drafts(stack, count: int) -> list[int]:
    """Draft supplier invoices from one supplier, on one date, with the same lines."""
    store = rackbeat_store(stack)
    body = {
        "supplier_id": 1,
        "invoice_date": "2026-11-02",
        "lines": [{"child_id": "300", "quantity": 10, "line_price": 42.5}],
    }
    with store.lock:
        account = store.account(ACCOUNT_ID)
        return [
            create_invoice(store, account, SUPPLIER_INVOICES, dict(body))["number"]
            for _ in range(count)
        ]


def test_look_alike_supplier_invoices_with_lost_answers_each_get_their_own_voucher(
    app_config, tmp_path, redis
):
    settings = fast_transfers(DINERO_READ_TIMEOUT=1)
    with active_stack(app_config, tmp_path, settings=settings, workers=2) as (stack, _):
        numbers = look_alike_drafts(stack, 2)
        set_dinero_knobs(stack, timeout_after_commit_rate=1.0, timeout_after_commit_seconds=2.5)
        for number in numbers:
            book_in_rackbeat(stack, "supplier-invoices", number)

        transfers = wait_for_transfers(2, timeout=120)

        assert [(t.state, t.kind) for t in transfers] == [
            (TransferState.SUCCEEDED, EntityKind.SUPPLIER_INVOICE)
        ] * 2, [t.message for t in transfers]
        assert all(t.attempts > 1 for t in transfers)  # the answers were lost
        vouchers = [
            v
            for v in dinero_records(stack, "purchase_vouchers")
            if str(v.get("ExternalReference") or "").startswith(REFERENCE)
        ]
        assert Counter(v["ExternalReference"] for v in vouchers) == Counter(
            f"{REFERENCE}{number}" for number in numbers
        )
        by_guid = {v["Guid"]: v for v in vouchers}
        for transfer in transfers:
            voucher = by_guid[transfer.dinero_guid]
            assert voucher["ExternalReference"] == f"{REFERENCE}{transfer.source_key}"
            assert voucher["Status"] == "Booked"
            assert str(voucher["VoucherNumber"]) == transfer.dinero_number
            assert voucher["FileGuid"] == transfer.dinero_file_guid
        files = dinero_records(stack, "files")
        assert sorted(f["FileGuid"] for f in files) == sorted(v["FileGuid"] for v in vouchers)


def test_bare_429s_hold_every_worker_until_the_window_has_passed(
    app_config, tmp_path, redis, monkeypatch
):
    """Dinero's 429 carries no Retry-After: the worker that meets one blocks the organization
    for the window in Redis, so no worker sends into the exhausted window again."""
    faults = FaultCounter(monkeypatch)
    # The app knows the window (2 s here, a minute in production) but not the real limit.
    settings = fast_transfers(DINERO_RATE_LIMIT=200, DINERO_RATE_WINDOW=2)
    with active_stack(app_config, tmp_path, settings=settings, workers=2) as (stack, _):
        set_dinero_knobs(
            stack, rate_limit={"limit": 6, "window_seconds": 2}, retry_after_mode="never"
        )
        numbers = book_invoices(stack, 10)
        assert_each_invoice_once(stack, numbers, timeout=120)
        report = requests.get(f"{stack.dinero_url}/_sandbox/requests", timeout=10).json()
    total = report[str(ORGANIZATION_ID)]["total"]
    print("FAULTS", dict(faults.counts), "TOTAL", total)
    assert faults.counts["429 bare"] >= 1, faults.counts
