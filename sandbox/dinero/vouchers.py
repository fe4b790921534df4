"""Purchase vouchers, purchase credit notes and manual vouchers ("finansbilag").

They share one voucher-number series (Dinero's "bilagsnummer"). Their read models spell the
version ``Timestamp``, not ``TimeStamp``.
"""

from __future__ import annotations

from typing import Any

from sandbox.dinero import ledger
from sandbox.dinero import state
from sandbox.dinero.errors import invalid
from sandbox.dinero.money import price_manual_lines
from sandbox.dinero.money import price_purchase_lines
from sandbox.dinero.rules import REGIONS
from sandbox.dinero.rules import check_account
from sandbox.dinero.rules import check_contact
from sandbox.dinero.rules import check_date
from sandbox.dinero.rules import check_draft_version
from sandbox.dinero.rules import check_file
from sandbox.dinero.rules import check_one_of
from sandbox.dinero.rules import check_vat_code
from sandbox.dinero.state import PURCHASE_VAT_CODES
from sandbox.dinero.state import Organization

PURCHASE_TYPES = frozenset({"cash", "credit"})


def _used_numbers(org: Organization) -> set[int]:
    return {
        *(v["VoucherNumber"] for v in org.purchase_vouchers.values()),
        *(v["VoucherNumber"] for v in org.manual_vouchers.values()),
        *(c["CreditNoteNumber"] for c in org.purchase_credit_notes.values()),
    } - {None}


def take_voucher_number(org: Organization, requested: int | None) -> int:
    used = _used_numbers(org)
    if requested is not None:
        if requested < 1 or requested in used:
            raise invalid("Number", f"The number {requested} is already used or not valid.")
        number = requested
    else:
        number = org.next_voucher_number
        while number in used:
            number += 1
    org.next_voucher_number = max(org.next_voucher_number, number + 1)
    return number


def _check_purchase_lines(org: Organization, lines: list[dict[str, Any]] | None) -> list[dict]:
    for index, line in enumerate(lines or []):
        check_account(org, f"Lines[{index}].AccountNumber", line.get("AccountNumber"))
        check_vat_code(f"Lines[{index}].VatCode", line.get("VatCode"))
    return list(lines or [])


def _require_bookable_lines(lines: list[dict[str, Any]]) -> None:
    if not lines:
        raise invalid("Lines", "At least one line is required to book.")
    for index, line in enumerate(lines):
        if line.get("AccountNumber") is None:
            raise invalid(f"Lines[{index}].AccountNumber", "An account is required to book.")


def _mark_booked(record: dict[str, Any], status: str) -> None:
    moment = state.iso(state.now())
    record.update(
        Status=status,
        BookedByType="Api",
        BookedByUsername="API",
        BookingTime=moment,
        Timestamp=state.current().new_timestamp(),
        UpdatedAt=moment,
    )


def build_purchase_voucher(org: Organization, data: dict[str, Any], guid: str | None) -> dict:
    """A draft purchase voucher from a validated create/update body (not stored).

    ``CurrencyKey`` on a cash purchase and ``PaymentDate`` on a cash purchase are documented as
    "should not be set"; like most of Dinero's "should"s they are ignored, not rejected.
    """
    purchase_type = data["PurchaseType"]
    check_one_of("PurchaseType", purchase_type, PURCHASE_TYPES)
    check_date("VoucherDate", data.get("VoucherDate"))
    check_date("PaymentDate", data.get("PaymentDate"))
    check_one_of("RegionKey", data.get("RegionKey"), REGIONS)
    deposit = data.get("DepositAccountNumber")
    if deposit is not None and deposit not in org.deposit_accounts:
        raise invalid("DepositAccountNumber", f"{deposit} is not a deposit account.")
    contact = check_contact(org, "ContactGuid", data.get("ContactGuid"))
    check_file(org, "FileGuid", data.get("FileGuid"))
    lines = _check_purchase_lines(org, data.get("Lines"))
    read_lines, totals = price_purchase_lines(lines, org.vat_rate_of)
    cash = purchase_type == "cash"
    moment = state.iso(state.now())
    return {
        "_input_lines": lines,
        "Guid": guid,
        "Timestamp": None,
        "CreatedAt": moment,
        "UpdatedAt": moment,
        "Status": "Draft",
        "FileGuid": data.get("FileGuid"),
        "VoucherNumber": None,
        "VoucherDate": data.get("VoucherDate") or state.now().date().isoformat(),
        "PaymentDate": None if cash else data.get("PaymentDate"),
        "RegionKey": (data.get("RegionKey") or "DK") if cash else None,
        "PurchaseType": purchase_type,
        "Lines": read_lines,
        "DepositAccountNumber": deposit if cash else None,
        "ContactGuid": contact["ContactGuid"] if contact else None,
        "ExternalReference": data.get("ExternalReference"),
        "VoucherTotals": totals,
        "CurrencyKey": None if cash else (data.get("CurrencyKey") or "DKK"),
        "BookedByType": None,
        "BookedByUsername": None,
        "BookingTime": None,
        "ShouldPossiblyBeFixedAsset": False,
    }


def book_purchase_voucher(org: Organization, record: dict[str, Any], data: dict[str, Any]) -> None:
    check_draft_version(record, data["Timestamp"], "The voucher is already booked.")
    _require_bookable_lines(record["_input_lines"])
    if record["PurchaseType"] == "cash" and record["DepositAccountNumber"] is None:
        raise invalid("DepositAccountNumber", "A cash purchase needs a deposit account to book.")
    if record["PurchaseType"] == "credit":
        contact = check_contact(org, "ContactGuid", record["ContactGuid"])
        if contact is None:
            raise invalid("ContactGuid", "A credit purchase needs a contact to book.")
        contact["IsCreditor"] = True
    record["VoucherNumber"] = take_voucher_number(org, data.get("Number"))
    _mark_booked(record, "Paid" if record["PurchaseType"] == "cash" else "Booked")
    ledger.post_purchase_voucher(org, record)


def build_purchase_credit_note(org: Organization, data: dict[str, Any], guid: str | None) -> dict:
    credit_note_for = data.get("CreditNoteFor")
    if credit_note_for and credit_note_for.lower() not in org.purchase_vouchers:
        raise invalid("CreditNoteFor", f"The purchase voucher {credit_note_for} does not exist.")
    contact = check_contact(org, "ContactGuid", data.get("ContactGuid"))
    check_file(org, "FileGuid", data.get("FileGuid"))
    lines = _check_purchase_lines(org, data["Lines"])
    if not lines:
        raise invalid("Lines", "At least one line is required.")
    read_lines, totals = price_purchase_lines(lines, org.vat_rate_of)
    moment = state.iso(state.now())
    return {
        "_input_lines": lines,
        "Guid": guid,
        "CreditNoteFor": credit_note_for.lower() if credit_note_for else None,
        "FileGuid": data.get("FileGuid"),
        "CreditNoteNumber": None,
        "ContactGuid": contact["ContactGuid"] if contact else None,
        "Date": data.get("Date") or moment,
        "Currency": data.get("Currency") or "DKK",
        "Lines": read_lines,
        "Timestamp": None,
        "CreatedAt": moment,
        "UpdatedAt": moment,
        "Status": "Draft",
        "BookedByType": None,
        "BookedByUsername": None,
        "BookingTime": None,
        "Totals": totals,
    }


def book_purchase_credit_note(
    org: Organization, record: dict[str, Any], data: dict[str, Any]
) -> None:
    check_draft_version(record, data["Timestamp"], "The credit note is already booked.")
    _require_bookable_lines(record["_input_lines"])
    if check_contact(org, "ContactGuid", record["ContactGuid"]) is None:
        raise invalid("ContactGuid", "A contact is required to book the credit note.")
    record["CreditNoteNumber"] = take_voucher_number(org, data.get("Number"))
    _mark_booked(record, "Booked")


def build_manual_voucher(org: Organization, data: dict[str, Any], guid: str) -> dict:
    """A draft manual voucher from a validated create/update body (not stored)."""
    check_date("VoucherDate", data.get("VoucherDate"))
    check_file(org, "FileGuid", data.get("FileGuid"))
    lines = list(data.get("Lines") or [])
    for index, line in enumerate(lines):
        check_account(org, f"Lines[{index}].AccountNumber", line.get("AccountNumber"))
        check_account(
            org, f"Lines[{index}].BalancingAccountNumber", line.get("BalancingAccountNumber")
        )
        check_vat_code(f"Lines[{index}].AccountVatCode", line.get("AccountVatCode"))
        check_vat_code(
            f"Lines[{index}].BalancingAccountVatCode", line.get("BalancingAccountVatCode")
        )
    read_lines, totals = price_manual_lines(
        lines, org.vat_rate_of, lambda code: code in PURCHASE_VAT_CODES
    )
    moment = state.iso(state.now())
    return {
        "_input_lines": lines,
        "Guid": guid,
        "Timestamp": None,
        "CreatedAt": moment,
        "UpdatedAt": moment,
        "VoucherNumber": None,
        "VoucherDate": data.get("VoucherDate") or state.now().date().isoformat(),
        "FileGuid": data.get("FileGuid"),
        "CreditNoteFor": None,
        "Status": "Draft",
        "Lines": read_lines,
        "ExternalReference": data.get("ExternalReference"),
        "BookedByType": None,
        "BookedByUsername": None,
        "BookingTime": None,
        **totals,
    }


def book_manual_voucher(org: Organization, record: dict[str, Any], data: dict[str, Any]) -> None:
    check_draft_version(record, data["Timestamp"], "The voucher is already booked.")
    _require_bookable_lines(record["_input_lines"])
    record["VoucherNumber"] = take_voucher_number(org, data.get("Number"))
    _mark_booked(record, "Booked")
    ledger.post_manual_voucher(org, record)


def store(table: dict[str, dict[str, Any]], record: dict[str, Any]) -> dict[str, Any]:
    record["Timestamp"] = state.current().new_timestamp()
    table[record["Guid"]] = record
    return record
