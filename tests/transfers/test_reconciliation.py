"""The month-end reconciliation against both sandboxes (RC1's acceptance): seeded differences
land in exactly the right groups, the one-click fixes mend them, and a second run is clean."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import ReconciliationItem
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.models.reconciliation import ReconciliationState
from rackdinero_app.reconcile import fixes
from rackdinero_app.reconcile import runs
from rackdinero_app.transfers.identity import external_reference
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import SUPPLIER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from tests.jobs import work_off_queue
from tests.transfers import dinero_books as books
from tests.transfers.conftest import ACCOUNT_ID

pytestmark = pytest.mark.redis

MONTH = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
DAY = (MONTH + timedelta(days=9)).isoformat()


def book(sandboxes, kind, party: int, lines, **fields) -> str:
    """A booked Rackbeat invoice dated in the reconciled month; its number."""
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    body = {
        kind.party_field: party,
        "invoice_date": DAY,
        "lines": [{"child_id": product, "quantity": quantity} for product, quantity in lines],
        **fields,
    }
    with store.lock:
        record = create_invoice(store, sandboxes.rackbeat_account, kind, body, book=True)
    return str(record["number"])


def groups(run: Reconciliation) -> dict[Group, set[str]]:
    found: dict[Group, set[str]] = {group: set() for group in Group}
    for item in runs.items(run):
        found[item.group].add(item.rackbeat_number)
    return found


def dinero_counts(sandboxes) -> dict[tuple[str, str], int]:
    """Requests to the Dinero sandbox's API so far, by method and operation."""
    counts = sandboxes.dinero.extensions["dinero_sandbox"].request_counts
    return {(method, path): n for (_, method, path), n in counts.items() if path.startswith("/v")}


def reconcile(connection_id: int) -> Reconciliation:
    """Run a reconciliation of the month as a worker would; the finished run."""
    connection = db.session.get(Connection, connection_id)
    run, started = runs.request_run(connection, MONTH, ActorType.RACKBEAT_USER, "Mette Demo")
    assert started
    run_id = run.id
    work_off_queue()  # the worker's job ends the session: nothing loaded before outlives it
    run = db.session.get(Reconciliation, run_id)
    assert run.state == ReconciliationState.FINISHED, (run.message_code, run.message_params)
    return run


def test_seeded_differences_land_in_their_groups_and_the_fixes_make_it_clean(
    app, sandboxes, connection, change_settings, transfer_now
):
    books.unhurried(sandboxes.dinero)
    change_settings(sales_invoice_status=DineroInvoiceStatus.DRAFT)
    matched = book(sandboxes, CUSTOMER_INVOICES, 1, [("100", 2), ("200", 1)])
    deleted = book(sandboxes, CUSTOMER_INVOICES, 1, [("101", 4)])
    changed = book(sandboxes, CUSTOMER_INVOICES, 3, [("201", 2)])
    skipped = book(sandboxes, CUSTOMER_INVOICES, 1, [("200", 1)])
    credit = book(sandboxes, CUSTOMER_INVOICES, 1, [("100", -1)], credited_invoice_id=int(matched))
    bought = book(sandboxes, SUPPLIER_INVOICES, 1, [("300", 10)])
    voided = book(sandboxes, SUPPLIER_INVOICES, 2, [("301", 5)])
    for kind, number in [
        (EntityKind.CUSTOMER_INVOICE, matched),
        (EntityKind.CUSTOMER_INVOICE, deleted),
        (EntityKind.CUSTOMER_INVOICE, changed),
        (EntityKind.CUSTOMER_INVOICE, credit),
        (EntityKind.SUPPLIER_INVOICE, bought),
        (EntityKind.SUPPLIER_INVOICE, voided),
    ]:
        assert transfer_now(kind, number).state == TransferState.SUCCEEDED, number
    change_settings(customer_integration_enabled=False)
    assert transfer_now(EntityKind.CUSTOMER_INVOICE, skipped).state == TransferState.SKIPPED
    change_settings(customer_integration_enabled=True)

    # The differences, made in Dinero as its users would.
    dinero = books.dinero(app)
    by_reference = {
        record["ExternalReference"]: record for record in sandboxes.dinero_records("invoices")
    }

    def ours(number: str) -> dict:
        return by_reference[external_reference(ACCOUNT_ID, EntityKind.CUSTOMER_INVOICE, number)]

    dinero.delete_invoice(ours(deleted)["Guid"], ours(deleted)["TimeStamp"])
    draft = ours(changed)  # the accountant raises the quantity on the draft (a full replace)
    body = {
        "Timestamp": draft["TimeStamp"],
        "ContactGuid": draft["ContactGuid"],
        "Date": draft["Date"],
        "Currency": draft["Currency"],
        "Language": draft["Language"],
        "ExternalReference": draft["ExternalReference"],
        "ProductLines": [{**line, "Quantity": 3.0} for line in draft["_input_lines"]],
    }
    dinero.transport.call("PUT", "v1.2", f"invoices/{draft['Guid']}", json=body)
    voucher = next(
        v
        for v in sandboxes.dinero_records("purchase_vouchers")
        if v["ExternalReference"].endswith(f":{voided}")
    )
    dinero.delete_purchase_voucher(voucher["Guid"], voucher["Timestamp"])
    stray_guid = str(uuid.uuid4())
    stray = external_reference(ACCOUNT_ID, EntityKind.CUSTOMER_INVOICE, "99999")
    books.draft_invoice(dinero, Guid=stray_guid, ExternalReference=stray, Date=DAY)

    connection_id = connection.id
    run = reconcile(connection_id)
    assert groups(run) == {
        Group.MATCHED: {matched, credit, bought},
        Group.MISSING: {deleted, skipped, voided},
        Group.AMOUNT_DIFFERS: {changed},
        Group.UNLINKED: {"99999"},
        Group.TWICE: set(),
    }
    reasons = {item.rackbeat_number: item.reason_code for item in runs.items(run)}
    assert reasons[deleted] == "rc_deleted_in_dinero"
    assert reasons[skipped] == "rc_not_sent_skipped"
    assert reasons[voided] == "rc_deleted_booked_voucher"
    assert reasons["99999"] == "rc_stray_draft"
    # List pages, not lookups: one page of Dinero's sales list and one read of its ledger.
    assert run.dinero_requests == 2

    connection = db.session.get(Connection, connection_id)
    before = Counter(dinero_counts(sandboxes))
    done = fixes.send_missing(connection, run, "Mette Demo")
    assert done.ok and done.params == {"count": 3} and not done.kept
    # The deleted draft was confirmed gone by one page of the sales list, not a lookup.
    assert Counter(dinero_counts(sandboxes)) - before == Counter(
        {("GET", "/v1/{organizationId}/sales"): 1}
    )
    for item in runs.items(run):
        if fixes.can_delete(item):
            assert fixes.delete_draft(connection, item, "Mette Demo").ok
    work_off_queue()

    again = reconcile(connection_id)
    assert again.counts == {
        "matched": 7,
        "missing": 0,
        "amount_differs": 0,
        "unlinked": 0,
        "twice": 0,
    }
    assert runs.is_clean(again)
    # Dinero's ledger was read once; the second run read only what changed since (as Dinero
    # asks of its clients).
    ledger_reads = {
        path: count for (_, path), count in dinero_counts(sandboxes).items() if "/entries" in path
    }
    assert ledger_reads == {
        "/v1/{organizationId}/entries": 1,
        "/v1/{organizationId}/entries/changes": 1,
    }
    # Each invoice is in Dinero once: the replaced and resent drafts left no second one.
    live = [r for r in sandboxes.dinero_records("invoices") if not r["DeletedAt"]]
    references = [r["ExternalReference"] for r in live if r["ExternalReference"]]
    assert len(references) == len(set(references))


def test_a_voucher_reported_deleted_but_back_in_dinero_is_not_sent_again(
    app, sandboxes, connection
):
    """The report is older than the fix: Dinero has the voucher after all, so it is kept back
    and nothing is sent (sending would put the invoice in Dinero twice)."""
    guid = books.draft_invoice(books.dinero(app), Date=DAY)
    run = Reconciliation(
        connection_id=connection.id,
        month=MONTH,
        state=ReconciliationState.FINISHED,
        actor_type=ActorType.RACKBEAT_USER,
        requested_by="Mette Demo",
        counts={"missing": 1},
    )
    db.session.add(run)
    db.session.flush()
    db.session.add(
        ReconciliationItem(
            reconciliation_id=run.id,
            group=Group.MISSING,
            kind=EntityKind.CUSTOMER_INVOICE,
            rackbeat_number="1001",
            dinero_guid=guid,
            reason_code="rc_deleted_in_dinero",
            reason_params={"voucher": guid},
        )
    )
    db.session.commit()

    done = fixes.send_missing(connection, run, "Mette Demo")

    assert done.params == {"count": 0} and done.kept == ["1001"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transfer)) == 0
    assert [item.fixed_at for item in runs.items(run)] == [None]
