"""The Dinero sandbox's ledger: booking posts balanced entries, deleting offsets them, and
``/entries`` and ``/entries/changes`` read them with Dinero's filters (dinero.md §Lists)."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from sandbox.dinero import create_app
from sandbox.dinero import state
from tests.sandbox.test_dinero_sandbox import invoice_body

ORG = "400555"
GROSSIST = "c0000000-0000-4000-8000-000000000005"
BASIC = "Basic " + base64.b64encode(b"rackdinero-demo:rackdinero-demo-dinero-secret").decode()
START = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)


class Clock:
    """The sandbox clock (``state.now``), moved by the test."""

    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(state, "now", clock)
    return clock


@pytest.fixture
def dinero(clock):
    app = create_app({"TESTING": True, "VALIDATE_RESPONSES": True})
    return app.test_client()


@pytest.fixture
def auth(dinero) -> dict[str, str]:
    form = {"grant_type": "password", "scope": "read write"}
    form["username"] = form["password"] = "demo-dinero-api-key"
    response = dinero.post("/dineroapi/oauth/token", data=form, headers={"Authorization": BASIC})
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def ok(response) -> Any:
    assert response.status_code == 200, response.data
    return response.json


def entries(dinero, auth, query: str = "fromDate=2026-01-01&toDate=2026-12-31") -> list[dict]:
    return ok(dinero.get(f"/v1/{ORG}/entries?{query}", headers=auth))


def of(voucher_guid: str, found: list[dict]) -> list[tuple[int, float, str | None]]:
    return [
        (e["AccountNumber"], e["Amount"], e["VatCode"])
        for e in found
        if e["VoucherGuid"] == voucher_guid
    ]


def total(rows) -> Decimal:
    return sum((Decimal(str(row[1])) for row in rows), Decimal(0))


def book(dinero, auth, path: str, guid: str, timestamp: str) -> dict:
    return ok(dinero.post(f"{path}/{guid}/book", json={"Timestamp": timestamp}, headers=auth))


def test_a_booked_purchase_voucher_posts_balanced_entries_and_deleting_it_offsets_them(
    dinero, auth, clock
):
    path = f"/v1/{ORG}/vouchers/purchase"
    body = {
        "PurchaseType": "credit",
        "ContactGuid": GROSSIST,
        "VoucherDate": "2026-06-18",
        "PaymentDate": "2026-07-18",
        "Lines": [
            {"AccountNumber": 2000, "Description": "Varekøb", "Amount": 1250.0},
            {"AccountNumber": 3600, "Description": "Papir", "Amount": 99.99, "VatCode": "I25"},
        ],
    }
    draft = ok(dinero.post(f"/v1.2/{ORG}/vouchers/purchase", json=body, headers=auth))
    assert of(draft["Guid"], entries(dinero, auth)) == []  # a draft has no entries
    booked = book(dinero, auth, path, draft["Guid"], draft["Timestamp"])

    found = [e for e in entries(dinero, auth) if e["VoucherGuid"] == draft["Guid"]]
    assert of(draft["Guid"], found) == [
        (2000, 1000.0, "I25"),
        (3600, 79.99, "I25"),  # 99.99 incl. VAT: VAT 20.00 (øre, half up)
        (66250, 270.0, None),  # Købsmoms
        (63000, -1349.99, None),  # Kreditorer: minus the total incl. VAT
    ]
    assert total(of(draft["Guid"], found)) == 0
    assert {e["Date"] for e in found} == {"2026-06-18"}
    assert {(e["VoucherType"], e["VoucherNumber"], e["Type"]) for e in found} == {
        ("Purchases", booked["VoucherNumber"], "Normal")
    }
    assert {e["ContactGuid"] for e in found} == {GROSSIST}
    assert found[0]["VatType"] == "Dansk købsmoms" and found[0]["AccountName"] == "Varekøb"
    assert all("_created_at" not in e for e in found)

    clock.moment = START + timedelta(days=3)
    current = ok(dinero.get(f"{path}/{draft['Guid']}", headers=auth))["Timestamp"]
    deleted = dinero.delete(f"{path}/{draft['Guid']}", json={"Timestamp": current}, headers=auth)
    assert deleted.status_code == 200

    after = [e for e in entries(dinero, auth) if e["VoucherGuid"] == draft["Guid"]]
    offsets = after[len(found) :]
    assert [(e["AccountNumber"], e["Amount"]) for e in offsets] == [
        (account, -amount) for account, amount, _ in of(draft["Guid"], found)
    ]
    assert {e["Date"] for e in offsets} == {"2026-06-18"}  # the voucher's date, not today
    assert len({e["EntryGuid"] for e in after}) == 8
    by_account = Counter()
    for e in after:
        by_account[e["AccountNumber"]] += Decimal(str(e["Amount"]))
    assert set(by_account.values()) == {0}
    window = "changesFrom=2026-06-23T09:00:00Z&changesTo=2026-06-23T09:00:01Z"
    changed = ok(dinero.get(f"/v1/{ORG}/entries/changes?{window}", headers=auth))
    assert [e["EntryGuid"] for e in changed] == [e["EntryGuid"] for e in offsets]


def test_sales_invoices_and_credit_notes_post_revenue_vat_and_debtors(dinero, auth):
    body = invoice_body(Date="2026-06-15")  # 2 × 100.00 on 1000 with 10 % off
    invoice = ok(dinero.post(f"/v1/{ORG}/invoices", json=body, headers=auth))
    booked = book(dinero, auth, f"/v1/{ORG}/invoices", invoice["Guid"], invoice["TimeStamp"])
    note_body = {**body, "CreditNoteFor": invoice["Guid"], "Date": "2026-06-16"}
    note = ok(dinero.post(f"/v1/{ORG}/sales/creditnotes", json=note_body, headers=auth))
    credited = book(dinero, auth, f"/v1/{ORG}/sales/creditnotes", note["Guid"], note["TimeStamp"])

    june = entries(dinero, auth, "fromDate=2026-06-15&toDate=2026-06-16T00:00:00Z")
    by_type = {
        kind: [
            (e["AccountNumber"], e["Amount"], e["VatCode"])
            for e in june
            if e["VoucherType"] == kind
        ]
        for kind in ("Invoice", "CreditNote")
    }
    assert by_type["Invoice"] == [(1000, -180.0, "U25"), (66200, -45.0, None), (56000, 225.0, None)]
    assert by_type["CreditNote"] == [
        (1000, 180.0, "U25"),
        (66200, 45.0, None),
        (56000, -225.0, None),
    ]
    numbers = {e["VoucherType"]: e["VoucherNumber"] for e in june}
    assert numbers == {"Invoice": booked["Number"], "CreditNote": credited["Number"]}
    # Sales vouchers are not fetchable by their entries' VoucherGuid (the model says so).
    voucher_guids = {e["VoucherGuid"] for e in june}
    assert len(voucher_guids) == 2 and invoice["Guid"] not in voucher_guids
    assert {e["Date"] for e in june} == {"2026-06-15", "2026-06-16"}


def test_a_manual_voucher_posts_each_line_and_its_balancing_account_and_offsets_on_delete(
    dinero, auth
):
    path = f"/v1/{ORG}/vouchers/manuel"
    body = {
        "VoucherDate": "2026-05-31",
        "Lines": [
            {
                "Description": "Kontorartikler",
                "AccountNumber": 3600,
                "BalancingAccountNumber": 55000,
                "Amount": 125.0,
                "AccountVatCode": "I25",
                "BalancingAccountVatCode": "none",
            },
            {
                "Description": "Vareforbrug maj",
                "AccountNumber": 2100,
                "BalancingAccountNumber": 5800,
                "Amount": 8000.0,
                "AccountVatCode": "none",
            },
        ],
    }
    draft = ok(dinero.post(path, json=body, headers=auth))
    booked = book(dinero, auth, path, draft["Guid"], draft["Timestamp"])

    posted = of(draft["Guid"], entries(dinero, auth))
    assert posted == [
        (3600, 100.0, "I25"),
        (66250, 25.0, None),
        (55000, -125.0, None),
        (2100, 8000.0, None),
        (5800, -8000.0, None),
    ]
    dinero.delete(f"{path}/{draft['Guid']}", json={"Timestamp": booked["Timestamp"]}, headers=auth)
    after = of(draft["Guid"], entries(dinero, auth))
    assert after[5:] == [(a, -amount, code) for a, amount, code in posted]
    assert total(after) == 0


def test_entries_filters_and_primo(dinero, auth):
    everything = entries(dinero, auth)
    primo = [e for e in everything if e["Type"] == "Primo"]
    assert primo and {(e["Date"], e["VoucherGuid"]) for e in primo} == {("2026-01-01", None)}
    assert total([(0, e["Amount"]) for e in everything]) == 0  # the seeded books balance
    without = entries(dinero, auth, "fromDate=2026-01-01&toDate=2026-12-31&includePrimo=false")
    assert without == [e for e in everything if e["Type"] != "Primo"]

    # The seeded October books (dinero seed): both dates inclusive, compared on the date.
    october = entries(dinero, auth, "fromDate=2026-10-02T23:59:59Z&toDate=2026-10-15T00:00:00")
    assert {e["Date"] for e in october} == {"2026-10-02", "2026-10-15"}
    assert entries(dinero, auth, "fromDate=2026-10-03&toDate=2026-10-14") == []


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("entries", "fromDate=2026-01-01", "toDate"),
        ("entries", "toDate=2026-01-01", "fromDate"),
        ("entries", "fromDate=2026-12-01&toDate=2027-01-31", "toDate"),
        ("entries", "fromDate=01-01-2026&toDate=2026-01-31", "fromDate"),
        ("entries", "fromDate=2026-01-01&toDate=2026-01-31&includePrimo=yes", "includePrimo"),
        ("entries/changes", "changesFrom=2026-06-01T00:00:00Z", "changesTo"),
        ("entries/changes", "", "changesFrom"),
        (
            "entries/changes",
            "changesFrom=2026-06-01T00:00:00Z&changesTo=2026-07-02T00:00:01Z",
            "changesTo",
        ),
    ],
)
def test_bad_ledger_queries_are_400_naming_the_parameter(dinero, auth, path, query, field):
    response = dinero.get(f"/v1/{ORG}/{path}?{query}", headers=auth)

    assert response.status_code == 400
    assert response.json["code"] == 42
    assert list(response.json["validationErrors"]) == [field]


def test_changes_are_read_by_posting_time_in_a_window_of_at_most_31_days(dinero, auth, clock):
    def changes(start: datetime, end: datetime, primo: str = "") -> list[dict]:
        window = f"changesFrom={state.iso(start)}&changesTo={state.iso(end)}{primo}"
        return ok(dinero.get(f"/v1/{ORG}/entries/changes?{window}", headers=auth))

    seeded = changes(START, START + timedelta(days=31))  # the seed posted at START
    assert seeded == entries(dinero, auth)
    assert [e for e in seeded if e["Type"] == "Primo"]
    assert changes(START, START + timedelta(days=1), "&includePrimo=false") == [
        e for e in seeded if e["Type"] != "Primo"
    ]
    assert changes(START - timedelta(days=1), START) == []  # changesTo is exclusive

    clock.moment = START + timedelta(hours=2)
    body = invoice_body(Date="2026-03-01")
    invoice = ok(dinero.post(f"/v1/{ORG}/invoices", json=body, headers=auth))
    book(dinero, auth, f"/v1/{ORG}/invoices", invoice["Guid"], invoice["TimeStamp"])

    later = changes(START + timedelta(hours=1), START + timedelta(hours=3))
    assert {e["VoucherType"] for e in later} == {"Invoice"}
    assert {e["Date"] for e in later} == {"2026-03-01"}  # booked now, dated in March
    assert total([(0, e["Amount"]) for e in later]) == 0


def test_the_ledger_needs_a_token_and_counts_like_every_call(dinero, auth):
    assert dinero.get(f"/v1/{ORG}/entries?fromDate=2026-01-01&toDate=2026-01-31").status_code == 401
    entries(dinero, auth)
    window = "changesFrom=2026-06-01T00:00:00Z&changesTo=2026-06-02T00:00:00Z"
    ok(dinero.get(f"/v1/{ORG}/entries/changes?{window}", headers=auth))

    counted = {
        (r["path"], r["count"]) for r in dinero.get("/_sandbox/requests").json[ORG]["requests"]
    }
    assert ("/v1/{organizationId}/entries", 2) in counted  # the refused call counts too
    assert ("/v1/{organizationId}/entries/changes", 1) in counted
