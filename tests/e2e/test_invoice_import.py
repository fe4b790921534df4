"""Invoices created in Dinero reach Rackbeat through two hourly import runs (C5): over HTTP,
with both sandboxes, real Redis and a ``flask worker`` process.

Across the two windows invoices are created, booked, paid, credited and deleted in Dinero; the
first run is triggered as the schedule would (its job, not the clock), the second with "Run now"
on the Sales page. Every Dinero voucher ends as exactly one Rackbeat invoice (counted by the
Dinero identity in its note), Rackbeat answers lost after it committed change nothing, and
nothing travels back to Dinero.
"""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlparse

import pytest
import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import SyncState
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import invoice_import
from rackdinero_app.transfers.mapping.from_dinero import dinero_voucher_of
from tests.e2e.fault_helpers import fast_transfers
from tests.e2e.fault_helpers import rackbeat_store
from tests.e2e.transfers_setup import configure
from tests.flows import connection_for
from tests.flows import installed_and_active
from tests.stack import running_stack
from tests.transfers import dinero_books as books

TERMINAL = (TransferState.SUCCEEDED, TransferState.FAILED, TransferState.SKIPPED)


@pytest.fixture
def stack(app_config, tmp_path, redis):
    settings = fast_transfers()
    with running_stack(
        {**app_config, **settings},
        tmp_path,
        dinero_config={"KNOBS": {"rate_limit": {"limit": 100_000}}},
        worker_config=settings,
    ) as stack:
        yield stack


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def imported(stack) -> dict[str, list[dict]]:
    """Rackbeat's customer invoices by the Dinero voucher they came from."""
    store = rackbeat_store(stack)
    with store.lock:
        invoices = list(store.account(12345).records["customer_invoices"].values())
    found: dict[str, list[dict]] = {}
    for invoice in invoices:
        if (guid := dinero_voucher_of(invoice)) is not None:
            found.setdefault(guid, []).append(invoice)
    return found


def dinero_counts(stack) -> tuple[int, int]:
    sandbox = stack.dinero.extensions["dinero_sandbox"]
    with sandbox.lock:
        organization = sandbox.organizations[books.ORGANIZATION_ID]
        return len(organization.invoices), len(organization.sales_credit_notes)


def wait_for_run(run_id: int, timeout: float = 90) -> SyncRun:
    """The run once it and every transfer it started have ended."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        run = db.session.get(SyncRun, run_id)
        open_transfers = db.session.scalar(
            sa.select(sa.func.count()).select_from(Transfer).where(Transfer.state.not_in(TERMINAL))
        )
        if run.state in (SyncState.SUCCEEDED, SyncState.FAILED) and not open_transfers:
            return run
        if time.monotonic() > deadline:
            raise TimeoutError(f"run {run_id} is {run.state}; {open_transfers} transfers open")
        time.sleep(0.3)


def form_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(s|csrf_token)" value="([^"]+)"', html))


def test_two_hourly_runs_import_each_dinero_invoice_once_and_send_nothing_back(stack, browser):
    landing = installed_and_active(stack, browser)
    session_token = parse_qs(urlparse(landing.url).query)["s"][0]
    with stack.app.app_context():
        connection = connection_for(12345)
        configure(connection.id)
        books.switch_to_dinero(connection)
        dinero = books.dinero(stack.app)
        counts_before = dinero_counts(stack)

        # Window 1: a booked invoice (customer and product new to Rackbeat), a paid one (for a
        # customer and a product Rackbeat has), a draft, and a draft deleted again.
        first = books.booked_invoice(
            dinero, books.NORDISK, [books.product_line(books.HELMET, 2, 399.2)]
        )
        jensen = books.contact(dinero, "Jensen & Co ApS", "faktura@jensen-co.dk")
        chair = books.product(dinero, "101", "Spisestol, eg", 1295.0)
        paid = books.booked_invoice(dinero, jensen, [books.product_line(chair, 4, 1295.0)])
        books.pay_in_full(dinero, paid)
        draft = books.draft_invoice(dinero)
        deleted = books.draft_invoice(dinero)
        books.delete_draft(dinero, deleted)
        # Half of Rackbeat's answers to writes are lost after it committed them.
        rackbeat_store(stack).set_knobs({"fail_after_commit_rate": 0.5, "seed": 13})

        run, created = invoice_import.request_run(connection.id, requested_by="schedule")
        assert created
        one = wait_for_run(run.id)

        assert one.state == SyncState.SUCCEEDED, one.message
        assert {guid: len(found) for guid, found in imported(stack).items()} == {first: 1, paid: 1}
        reported = {
            record.dinero_guid: record.reason_code
            for record in db.session.scalars(
                sa.select(SyncRecord).where(SyncRecord.sync_run_id == one.id)
            )
        }
        assert reported[deleted] == "deleted_in_dinero"
        assert draft not in reported and draft not in imported(stack)
        rackbeat_store(stack).set_knobs({"fail_after_commit_rate": 0.0})

        # Window 2: the first invoice is paid (changed, not new), the draft is booked, the paid
        # invoice is credited, and a new invoice goes to the customer linked in window 1.
        books.pay_in_full(dinero, first)
        dinero.book_invoice(draft, dinero.get_invoice(draft)["TimeStamp"])
        credit = books.booked_credit_note(dinero, paid, [books.product_line(chair, 1, 1295.0)])
        another = books.booked_invoice(dinero, books.NORDISK)

    page = browser.get(f"{stack.app_url}/embedded/settings/sales", params={"s": session_token})
    assert 'id="invoice-import"' in page.text
    form = form_values(page.text[page.text.index('id="invoice-import"') :])
    pressed = browser.post(f"{stack.app_url}/embedded/settings/sales/import-now", data=form)
    assert pressed.status_code == 200 and 'id="import-queued"' in pressed.text, pressed.text

    with stack.app.app_context():
        run_now = db.session.scalar(sa.select(SyncRun).order_by(SyncRun.id.desc()))
        assert run_now.requested_by == "mette@demo-lager.dk"
        two = wait_for_run(run_now.id)
        assert two.state == SyncState.SUCCEEDED, two.message

        found = imported(stack)
        assert {guid: len(invoices) for guid, invoices in found.items()} == {
            first: 1,
            paid: 1,
            draft: 1,
            credit: 1,
            another: 1,
        }
        (credited,) = found[credit]
        assert credited["credited_invoice_id"] == found[paid][0]["number"]
        assert all(invoice["is_booked"] for invoices in found.values() for invoice in invoices)
        assert found[another][0]["customer_id"] == found[first][0]["customer_id"]
        assert found[paid][0]["customer_id"] == 2  # Rackbeat's customer with that e-mail
        transfers = db.session.scalars(sa.select(Transfer)).all()
        assert {t.direction for t in transfers} == {TransferDirection.DINERO_TO_RACKBEAT}
        assert all(t.state == TransferState.SUCCEEDED for t in transfers), [
            (t.source_key, t.state, t.message) for t in transfers
        ]
        assert any(t.attempts > 1 for t in transfers)  # lost answers were looked up, not redone
        # Dinero holds only what this test wrote there: 5 invoices (one deleted), 1 credit note.
        assert dinero_counts(stack) == (counts_before[0] + 5, counts_before[1] + 1)

    shown = browser.get(f"{stack.app_url}/embedded/settings/sales", params={"s": session_token})
    card = unescape(shown.text[shown.text.index('id="invoice-import"') :])
    assert re.search(r"3 (imported|importeret)", card), card


def test_invoices_a_run_could_not_bring_over_while_rackbeat_was_down_arrive_later(stack, browser):
    installed_and_active(stack, browser)
    with stack.app.app_context():
        connection = connection_for(12345)
        configure(connection.id)
        books.switch_to_dinero(connection)
        dinero = books.dinero(stack.app)
        guids = [books.booked_invoice(dinero) for _ in range(3)]
        rackbeat_store(stack).set_knobs({"error_rate": 1.0})  # Rackbeat answers 500 to all

        run, _ = invoice_import.request_run(connection.id, requested_by="schedule")
        deadline = time.monotonic() + 30
        while db.session.get(SyncRun, run.id).state != SyncState.SUCCEEDED:
            assert time.monotonic() < deadline
            time.sleep(0.3)
            db.session.expire_all()
        rackbeat_store(stack).set_knobs({"error_rate": 0.0})  # back: the retries get through
        wait_for_run(run.id)

        assert {guid: len(found) for guid, found in imported(stack).items()} == {
            guid: 1 for guid in guids
        }
