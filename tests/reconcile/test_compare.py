"""The reconciliation's judgement and its reading of Rackbeat, case by case (no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.reconcile.compare import DineroVoucher
from rackdinero_app.reconcile.compare import Known
from rackdinero_app.reconcile.compare import Month
from rackdinero_app.reconcile.compare import RackbeatDoc
from rackdinero_app.reconcile.compare import TransferTrace
from rackdinero_app.reconcile.compare import compare
from rackdinero_app.reconcile.ledger import merged
from rackdinero_app.reconcile.ledger import total
from rackdinero_app.transfers.identity import external_reference

ACCOUNT = 12345
OCTOBER = Month(date(2026, 10, 1), date(2026, 10, 31))
DAY = date(2026, 10, 15)
INVOICE, CREDIT, SUPPLIER = (
    EntityKind.CUSTOMER_INVOICE,
    EntityKind.CREDIT_NOTE,
    EntityKind.SUPPLIER_INVOICE,
)


def doc(number, total, kind=INVOICE, **values):
    return RackbeatDoc(kind=kind, number=number, date=DAY, total=Decimal(total), **values)


def sale(guid, number, total, *, status="booked", kind=INVOICE, key=None, day=DAY, account=ACCOUNT):
    reference = external_reference(account, kind, key) if key else None
    return DineroVoucher(guid, number, status, Decimal(total), day, reference)


def judged(sales=(), supplier=(), dinero=(), ledger=None, links=None, transfers=None, files=None):
    known = Known(ACCOUNT, links or {}, transfers or {}, files or {})
    rows = compare(OCTOBER, sales, supplier, dinero, ledger or {}, known)
    return {(row.group, row.rackbeat_number or row.dinero_guid): row for row in rows}


def test_each_sales_case_lands_in_its_group():
    skipped = TransferTrace(TransferState.SKIPPED, "customers_off", {}, "off")
    rows = judged(
        sales=[
            doc("1", "125.00"),  # matched by its reference
            doc("2", "250.00"),  # its link's voucher was deleted in Dinero
            doc("3", "100.00"),  # the draft's total was changed in Dinero
            doc("4", "80.00"),  # skipped while the integration was off
            doc("5", "50.00", kind=CREDIT),  # a credit note, matched by its link's Guid
            doc("6", "10.00"),  # in Dinero twice
        ],
        dinero=[
            sale("g1", "11", "125.00", key="1"),
            sale("g3", None, "90.00", status="draft", key="3"),
            sale("g5", "12", "50.00"),
            sale("g6a", "13", "10.00", key="6"),
            sale("g6b", "14", "10.00", key="6", kind=CREDIT),
            sale("stray", None, "70.00", status="draft", key="999"),  # no link, ours
            sale("foreign", None, "70.00", status="draft", key="7", account=99999),  # not ours
            sale("manual", "20", "33.00"),  # the accountant's own invoice
        ],
        links={(INVOICE, "2"): ("g2", "9"), (CREDIT, "5"): ("g5", "12")},
        transfers={(INVOICE, "4"): skipped},
    )
    assert set(rows) == {
        (Group.MATCHED, "1"),
        (Group.MISSING, "2"),
        (Group.AMOUNT_DIFFERS, "3"),
        (Group.MISSING, "4"),
        (Group.MATCHED, "5"),
        (Group.TWICE, "6"),
        (Group.UNLINKED, "999"),
    }
    assert rows[(Group.MISSING, "2")].reason == ("rc_deleted_in_dinero", {"voucher": "9"})
    assert rows[(Group.MISSING, "4")].reason == (
        "rc_not_sent_skipped",
        {"reason": {"code": "customers_off", "params": {}}},
    )
    assert rows[(Group.AMOUNT_DIFFERS, "3")].reason[0] == "rc_amount_differs_draft"
    assert rows[(Group.TWICE, "6")].dinero_guid == "g6a,g6b"
    stray = rows[(Group.UNLINKED, "999")]
    assert stray.reason[0] == "rc_stray_draft" and stray.dinero_status == "draft"


def test_amounts_agree_within_the_rounding_tolerance_only():
    rows = judged(
        sales=[doc("1", "100.00", tolerance=Decimal("0.02")), doc("2", "100.00")],
        dinero=[sale("a", "1", "100.02", key="1"), sale("b", "2", "100.02", key="2")],
    )
    assert (Group.MATCHED, "1") in rows
    assert rows[(Group.AMOUNT_DIFFERS, "2")].reason[0] == "rc_amount_differs_booked"


def test_supplier_invoices_are_found_in_the_ledger_through_the_apps_links():
    ledger = {
        "p1": DineroVoucher("p1", "31", "booked", Decimal("125.00"), DAY),
        "p2": DineroVoucher("p2", "32", "booked", Decimal("0.00"), DAY),  # deleted: offset
        "p9": DineroVoucher("p9", "39", "booked", Decimal("500.00"), DAY),  # the accountant's
        "p8": DineroVoucher("p8", "38", "booked", Decimal("60.00"), DAY),  # another month's
    }
    drafted = TransferTrace(TransferState.SUCCEEDED, "created_draft_purchase_voucher", {}, "")
    booked = TransferTrace(TransferState.SUCCEEDED, "created_booked_purchase_voucher_no", {}, "")
    rows = judged(
        supplier=[
            doc("P1", "125.00", kind=SUPPLIER),
            doc("P2", "125.00", kind=SUPPLIER),
            doc("P3", "40.00", kind=SUPPLIER),  # a draft: known by its link only
            doc("P4", "40.00", kind=SUPPLIER),  # booked per its transfer, but not in the ledger
            doc("P5", "40.00", kind=SUPPLIER),  # never reached the app
        ],
        ledger=ledger,
        links={
            (SUPPLIER, "P1"): ("p1", "31"),
            (SUPPLIER, "P2"): ("p2", "32"),
            (SUPPLIER, "P3"): ("p3", None),
            (SUPPLIER, "P4"): ("p4", "34"),
            (SUPPLIER, "P8"): ("p8", "38"),
        },
        transfers={(SUPPLIER, "P3"): drafted, (SUPPLIER, "P4"): booked},
    )
    assert set(rows) == {
        (Group.MATCHED, "P1"),
        (Group.MISSING, "P2"),
        (Group.MATCHED, "P3"),
        (Group.MISSING, "P4"),
        (Group.MISSING, "P5"),
        (Group.UNLINKED, "P8"),
    }
    assert rows[(Group.MISSING, "P2")].reason[0] == "rc_deleted_booked_voucher"
    assert rows[(Group.MATCHED, "P3")].reason[0] == "rc_draft_amount_unread"
    assert rows[(Group.MISSING, "P4")].reason[0] == "rc_not_in_ledger"
    assert rows[(Group.MISSING, "P5")].reason == ("rc_never_sent", {})
    assert rows[(Group.UNLINKED, "P8")].reason == ("rc_linked_elsewhere", {"number": "P8"})


def test_a_second_purchase_voucher_carrying_an_invoices_document_is_transferred_twice():
    def booked(guid, total, file):
        return DineroVoucher(guid, guid[-1], "booked", Decimal(total), DAY, file_guid=file)

    ledger = {
        "v1": booked("v1", "125.00", "f-1"),  # the linked voucher
        "v2": booked("v2", "125.00", "f-1"),  # another voucher with the same document
        "v3": booked("v3", "0.00", "f-0"),  # an earlier round's, deleted in Dinero: offset
        "v4": booked("v4", "80.00", "f-4"),  # one invoice's only voucher, its link lost
    }
    known_files = {"f-1": "P1", "f-0": "P1", "f-4": "P4"}
    rows = judged(
        supplier=[doc("P1", "125.00", kind=SUPPLIER), doc("P4", "80.00", kind=SUPPLIER)],
        ledger=ledger,
        links={(SUPPLIER, "P1"): ("v1", "1")},
        files=known_files,
    )
    assert set(rows) == {(Group.TWICE, "P1"), (Group.MISSING, "P4")}
    assert rows[(Group.TWICE, "P1")].dinero_guid == "v1,v2"
    assert rows[(Group.TWICE, "P1")].reason == ("rc_twice", {"count": 2, "vouchers": "1, 2"})


def test_a_linked_draft_of_another_month_is_not_this_months_business():
    rows = judged(
        dinero=[sale("old", None, "5.00", status="draft", key="77", day=date(2026, 9, 3))],
        links={(INVOICE, "77"): ("old", None)},
    )
    assert rows == {}


def test_the_ledger_nets_a_deleted_voucher_to_nothing_and_reads_changes_once():
    first = [
        _entry("e1", "v1", 2000, "100.00"),
        _entry("e2", "v1", 14600, "25.00"),
        _entry("e3", "v1", 63000, "-125.00"),
        _entry("e9", "s1", 1000, "-80.00", voucher_type="Invoice"),  # sales: not a purchase
        _entry("p0", None, 2000, "999.00", kind="Primo"),
    ]
    vouchers = merged({}, first, OCTOBER)
    assert list(vouchers) == ["v1"]
    assert total(vouchers["v1"]["entries"]) == Decimal("125.00")
    offset = [
        _entry("e3", "v1", 63000, "-125.00"),  # seen before: read twice in the overlap
        _entry("e4", "v1", 2000, "-100.00"),
        _entry("e5", "v1", 14600, "-25.00"),
        _entry("e6", "v1", 63000, "125.00"),
    ]
    assert total(merged(vouchers, offset, OCTOBER)["v1"]["entries"]) == Decimal("0.00")
    assert total(merged(vouchers, offset[:1], OCTOBER)["v1"]["entries"]) == Decimal("125.00")


def _entry(guid, voucher, account, amount, *, voucher_type="Purchases", kind="Normal"):
    return {
        "EntryGuid": guid,
        "VoucherGuid": voucher,
        "VoucherNumber": 31,
        "VoucherType": voucher_type,
        "AccountNumber": account,
        "Amount": float(amount),
        "Date": "2026-10-15",
        "Type": kind,
    }


class _Pages:
    """Rackbeat's list, a page at a time, as ``RackbeatClient.list_pages`` yields it."""

    def __init__(self, pages):
        self.pages, self.read = pages, 0

    def list_pages(self, resource, params):
        for page in self.pages:
            self.read += 1
            yield page


def _booked(number, day):
    return {
        "number": number,
        "invoice_date": day,
        "booked_at": f"{day}T12:00:00+00:00",
        "total_total": 125.0,
        "lines": [{"child_id": "1", "quantity": 1, "line_price": 100.0}],
    }


def test_rackbeat_is_read_down_to_a_page_booked_before_the_month_and_no_further():
    from rackdinero_app.reconcile.reading import rackbeat_invoices

    newest_first = _Pages(
        [
            [_booked(9, "2026-11-02"), _booked(8, "2026-10-30")],
            [_booked(7, "2026-10-15"), _booked(6, "2026-10-01")],
            [_booked(5, "2026-09-20"), _booked(4, "2026-09-10")],  # within 14 days: read on
            [_booked(3, "2026-09-01"), _booked(2, "2026-08-20")],  # wholly before: the last
            [_booked(1, "2026-08-01")],
        ]
    )
    docs = rackbeat_invoices(newest_first, "customer-invoices", OCTOBER, lambda n: None)
    assert [doc.number for doc in docs] == ["8", "7", "6"]
    assert newest_first.read == 4

    # Were the order ignored (oldest first), every page is read: nothing of the month is missed.
    oldest_first = _Pages([list(reversed(page)) for page in reversed(newest_first.pages)])
    docs = rackbeat_invoices(oldest_first, "customer-invoices", OCTOBER, lambda n: None)
    assert sorted(doc.number for doc in docs) == ["6", "7", "8"]
    assert oldest_first.read == 5
