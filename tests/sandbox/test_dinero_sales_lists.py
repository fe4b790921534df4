"""The Dinero sandbox's invoice and credit-note lists, as the hourly import reads them: an
inclusive changesSince that sees updates and deletions, the booked statuses a payment moves an
invoice through, fields, deletedOnly, free-text search and paging (reference/dinero.md "Lists")."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from sandbox.dinero import create_app
from sandbox.dinero import sales

ORG = "400555"
ORG_ID = 400555
NORDISK = "c0000000-0000-4000-8000-000000000001"
BOOKED = "Booked,Paid,OverPaid,Overdue"
LONG_AGO = "2026-01-01T00:00:00Z"


@pytest.fixture
def dinero_app():
    return create_app({"TESTING": True, "VALIDATE_RESPONSES": True})


@pytest.fixture
def dinero(dinero_app):
    return dinero_app.test_client()


@pytest.fixture
def auth(dinero) -> dict[str, str]:
    basic = base64.b64encode(b"rackdinero-demo:rackdinero-demo-dinero-secret").decode()
    form = {
        "grant_type": "password",
        "scope": "read write",
        "username": "demo-dinero-api-key",
        "password": "demo-dinero-api-key",
    }
    token = dinero.post(
        "/dineroapi/oauth/token", data=form, headers={"Authorization": f"Basic {basic}"}
    )
    return {"Authorization": f"Bearer {token.json['access_token']}"}


def invoice(dinero, auth, *, book: bool = True, path: str = "invoices", **extra: Any) -> dict:
    line = {
        "Description": "Cykelhjelm",
        "BaseAmountValue": 100.0,
        "Quantity": 1.0,
        "AccountNumber": 1000,
        "Discount": 0.0,
        "Unit": "parts",
    }
    body = {"ContactGuid": NORDISK, "ProductLines": [line], **extra}
    created = dinero.post(f"/v1/{ORG}/{path}", json=body, headers=auth).json
    if book:
        booked = dinero.post(
            f"/v1/{ORG}/{path}/{created['Guid']}/book",
            json={"Timestamp": created["TimeStamp"]},
            headers=auth,
        )
        assert booked.status_code == 200, booked.json
        return booked.json
    return dinero.get(f"/v1/{ORG}/{path}/{created['Guid']}", headers=auth).json


def backdate(dinero_app, guid: str, moment: str = LONG_AGO) -> None:
    """As if the voucher had last changed at ``moment``."""
    sandbox = dinero_app.extensions["dinero_sandbox"]
    with sandbox.lock:
        organization = sandbox.organizations[ORG_ID]
        record = organization.invoices.get(guid) or organization.sales_credit_notes[guid]
        record.update(CreatedAt=moment, UpdatedAt=moment)


def listed(dinero, auth, path: str = "invoices", **query: Any) -> dict[str, dict]:
    query.setdefault("fields", "Guid,Number,Status,UpdatedAt,DeletedAt")
    response = dinero.get(f"/v1/{ORG}/{path}", query_string=query, headers=auth)
    assert response.status_code == 200, response.json
    return {item["Guid"]: item for item in response.json["Collection"]}


def test_changes_since_is_inclusive_and_sees_a_payment_as_a_change(dinero_app, dinero, auth):
    paid = invoice(dinero, auth)
    backdate(dinero_app, paid["Guid"])
    since = "2026-06-01T00:00:00Z"
    assert paid["Guid"] not in listed(dinero, auth, changesSince=since)
    assert paid["Guid"] in listed(dinero, auth, changesSince=LONG_AGO)  # at, not only after

    dinero.post(
        f"/v1/{ORG}/invoices/{paid['Guid']}/payments",
        json={
            "Timestamp": dinero.get(f"/v1/{ORG}/invoices/{paid['Guid']}", headers=auth).json[
                "TimeStamp"
            ],
            "DepositAccountNumber": 55000,
            "Amount": paid["TotalInclVat"],
            "Description": "Betaling",
            "RemainderIsFee": False,
        },
        headers=auth,
    )

    item = listed(dinero, auth, changesSince=since, statusFilter=BOOKED)[paid["Guid"]]
    assert item["Status"] == "Paid"
    assert paid["Guid"] not in listed(dinero, auth, changesSince=since, statusFilter="Booked")


def test_drafts_are_left_out_by_the_booked_statuses(dinero, auth):
    draft = invoice(dinero, auth, book=False)
    booked = invoice(dinero, auth)

    shown = listed(dinero, auth, statusFilter=BOOKED)

    assert booked["Guid"] in shown and draft["Guid"] not in shown
    assert listed(dinero, auth, statusFilter="draft")[draft["Guid"]]["Number"] == 0
    bad = dinero.get(f"/v1/{ORG}/invoices?statusFilter=Sent", headers=auth)
    assert bad.status_code == 400 and "statusFilter" in bad.json["validationErrors"]


def test_a_deleted_draft_shows_only_with_deleted_only_and_as_a_change(dinero_app, dinero, auth):
    draft = invoice(dinero, auth, book=False)
    backdate(dinero_app, draft["Guid"])
    deleted = dinero.delete(
        f"/v1/{ORG}/invoices/{draft['Guid']}", json={"Timestamp": draft["TimeStamp"]}, headers=auth
    )
    assert deleted.status_code == 200

    assert draft["Guid"] not in listed(dinero, auth)
    gone = listed(dinero, auth, deletedOnly="true", changesSince="2026-06-01T00:00:00Z")
    assert gone[draft["Guid"]]["DeletedAt"] is not None


def test_a_booked_invoice_cannot_be_deleted(dinero, auth):
    booked = invoice(dinero, auth)

    refused = dinero.delete(
        f"/v1/{ORG}/invoices/{booked['Guid']}",
        json={"Timestamp": booked["TimeStamp"]},
        headers=auth,
    )

    assert refused.status_code == 400
    assert booked["Guid"] in listed(dinero, auth)


def test_the_default_fields_leave_out_number_and_status(dinero, auth):
    invoice(dinero, auth)

    item = dinero.get(f"/v1/{ORG}/invoices", headers=auth).json["Collection"][0]

    assert set(item) == {"Guid", "ContactName", "Date", "Description"}


def test_credit_notes_have_their_own_list_and_name_their_invoice(dinero, auth):
    original = invoice(dinero, auth)
    credit = invoice(dinero, auth, path="sales/creditnotes", CreditNoteFor=original["Guid"])

    notes = listed(dinero, auth, path="sales/creditnotes", statusFilter=BOOKED)

    assert credit["Guid"] in notes and original["Guid"] not in notes
    read = dinero.get(f"/v1/{ORG}/sales/creditnotes/{credit['Guid']}", headers=auth).json
    assert read["CreditNoteFor"] == original["Guid"]
    both = listed(dinero, auth, path="sales", fields="Guid,Type")
    assert (both[credit["Guid"]]["Type"], both[original["Guid"]]["Type"]) == (
        sales.CREDIT_NOTE,
        sales.INVOICE,
    )


def test_free_text_search_finds_a_voucher_by_its_number(dinero, auth):
    booked = invoice(dinero, auth)

    found = listed(dinero, auth, path="sales", freeTextSearch=str(booked["Number"]))

    assert booked["Guid"] in found


def test_lists_page_from_zero_in_ascending_number_order(dinero, auth):
    numbers = sorted(invoice(dinero, auth)["Number"] for _ in range(3))
    query = {"statusFilter": BOOKED, "sort": "VoucherNumber", "sortOrder": "ascending"}

    pages = [
        [item["Number"] for item in listed(dinero, auth, page=page, pageSize=2, **query).values()]
        for page in range(3)
    ]

    flat = [number for page in pages for number in page]
    assert flat == sorted(flat) and set(numbers) <= set(flat)
    assert [len(page) for page in pages][-1] < 2
