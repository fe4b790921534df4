"""Dinero's business rules shared by several resources: fixed value sets, versions, guids."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from sandbox.dinero.errors import StaleTimestamp
from sandbox.dinero.errors import ValidationFailed
from sandbox.dinero.errors import invalid
from sandbox.dinero.state import VAT_RATES
from sandbox.dinero.state import Organization

UNITS = frozenset(
    "hours parts km day week month kilogram cubicMetre set litre box case carton metre "
    "package shipment squareMetre session tonne".split()
)
LANGUAGES = frozenset({"da-DK", "en-GB"})
PAYMENT_CONDITIONS = frozenset({"Netto", "NettoCash", "CurrentMonthOut", "Paid"})
CONTACT_PAYMENT_CONDITIONS = frozenset({"Netto", "NettoCash", "CurrentMonthOut"})
REGIONS = frozenset({"DK", "EU", "World"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_timestamp(record: dict[str, Any], given: str | None, key: str = "TimeStamp") -> None:
    """Optimistic concurrency: ``given`` must be the record's current version (code 58)."""
    if given is not None and given != record[key]:
        raise StaleTimestamp()


def check_draft_version(record: dict[str, Any], given: str | None, refusal: str) -> None:
    """A voucher may change only while it is a draft, and only from its current version."""
    check_timestamp(record, given, key="Timestamp")
    if record["Status"] != "Draft":
        raise rule_error(refusal)


def claim_guid(org: Organization, requested: str | None, field: str = "Guid") -> str:
    """A new guid, or the client's own one if it is not already in use.

    Dinero does not document what happens when a client-chosen guid is reused; the sandbox
    rejects it (400, code 42), so a retried create can never make a second record.
    """
    if requested is None:
        return str(uuid.uuid4())
    guid = requested.lower()
    if guid in org.all_guids():
        raise invalid(field, f"The guid {requested} is already in use.")
    return guid


def check_date(field: str, value: str | None) -> None:
    if value is None:
        return
    try:
        if not _DATE.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise invalid(field, f"The date '{value}' must be in the format YYYY-MM-DD.") from None


def check_account(org: Organization, field: str, number: int | None) -> None:
    if number is not None and number not in org.accounts:
        raise invalid(field, f"The account {number} does not exist.")


def check_vat_code(field: str, code: str | None) -> None:
    if code is not None and code not in VAT_RATES:
        raise invalid(field, f"The VAT code '{code}' does not exist.")


def check_contact(org: Organization, field: str, guid: str | None) -> dict[str, Any] | None:
    if guid is None:
        return None
    contact = org.contacts.get(guid.lower())
    if contact is None or contact.get("DeletedAt"):
        raise invalid(field, f"The contact {guid} does not exist.")
    return contact


def check_file(org: Organization, field: str, file_guid: str | None) -> None:
    """A voucher's ``FileGuid`` must name a file in the organization's archive.

    The documentation says only "Id of the file associated with the purchase". Dinero links the
    file to the voucher, which it cannot do with a file it does not have, so an unknown guid is
    refused like any other unknown reference (400, code 42). A file already linked to another
    voucher is accepted: nothing documents a refusal.
    """
    if file_guid is not None and file_guid.lower() not in org.files:
        raise invalid(field, f"The file {file_guid} does not exist in the file archive.")


def check_one_of(field: str, value: str | None, allowed: frozenset[str]) -> None:
    if value is not None and value not in allowed:
        raise invalid(field, f"'{value}' is not valid. Valid values: {', '.join(sorted(allowed))}.")


def check_unit(field: str, unit: str | None) -> None:
    if unit is not None and unit not in UNITS:
        raise invalid(
            field, f"The unit '{unit}' is not valid. Valid units: {', '.join(sorted(UNITS))}."
        )


def rule_error(message: str, field: str = "globalErrors[]") -> ValidationFailed:
    """A business rule broken (HTTP 400, code 42)."""
    return invalid(field, message)
