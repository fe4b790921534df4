"""Helpers every resource view shares: the request body, lookups, timestamps, shaping."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from flask import g
from flask import jsonify
from flask import request

from sandbox.dinero import spec
from sandbox.dinero.errors import HtmlNotFound
from sandbox.dinero.errors import NotFound
from sandbox.dinero.errors import StaleTimestamp
from sandbox.dinero.errors import ValidationFailed
from sandbox.dinero.errors import invalid
from sandbox.dinero.state import VAT_RATES
from sandbox.dinero.state import Organization
from sandbox.dinero.validation import json_body
from sandbox.dinero.validation import validate_request

UNITS = frozenset(
    "hours parts km day week month kilogram cubicMetre set litre box case carton metre "
    "package shipment squareMetre session tonne".split()
)
LANGUAGES = frozenset({"da-DK", "en-GB"})
PAYMENT_CONDITIONS = frozenset({"Netto", "NettoCash", "CurrentMonthOut", "Paid"})
CONTACT_PAYMENT_CONDITIONS = frozenset({"Netto", "NettoCash", "CurrentMonthOut"})
REGIONS = frozenset({"DK", "EU", "World"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def organization() -> Organization:
    return g.organization


def body(optional: bool = False) -> dict[str, Any]:
    """The request body, validated against the current operation's documented schema.

    ``optional``: a DELETE whose body only carries an optional ``Timestamp`` may omit it.
    """
    if optional and not request.get_data():
        return {}
    data = json_body()
    validate_request(request.method, g.operation.path, data)
    return data


def shaped(record: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``record`` reduced to the properties the documented schema has."""
    return {name: record[name] for name in schema["properties"] if name in record}


def respond(record: dict[str, Any]):
    """The record as the current operation's documented response model."""
    return jsonify(shaped(record, g.operation.response_schema))


def empty_ok():
    return "", 200


def find(table: dict[str, dict[str, Any]], guid: str, what: str, html: bool = False) -> dict:
    """The live record with ``guid``, else a 404 (HTML or JSON code 40, see ``errors``)."""
    record = table.get(guid.lower())
    if record is None or record.get("DeletedAt"):
        if html:
            raise HtmlNotFound()
        raise NotFound(what)
    return record


def check_timestamp(record: dict[str, Any], given: str | None, key: str = "TimeStamp") -> None:
    """Optimistic concurrency: ``given`` must be the record's current version (code 58)."""
    if given is not None and given != record[key]:
        raise StaleTimestamp()


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


def response_schema_of(method: str, path: str) -> dict[str, Any]:
    return spec.operation(method, path).response_schema
