"""Contacts (customers and suppliers are one resource, told apart by IsDebitor/IsCreditor).

A contact becomes a debtor when a sales voucher names it and a creditor when a purchase voucher
does (Dinero does not document how the flags are set).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint
from flask import jsonify

from sandbox.dinero import listing
from sandbox.dinero import state
from sandbox.dinero.errors import NotFound
from sandbox.dinero.errors import invalid
from sandbox.dinero.rules import CONTACT_PAYMENT_CONDITIONS
from sandbox.dinero.rules import check_one_of
from sandbox.dinero.rules import claim_guid
from sandbox.dinero.state import Organization
from sandbox.dinero.views.common import body
from sandbox.dinero.views.common import empty_ok
from sandbox.dinero.views.common import find
from sandbox.dinero.views.common import organization
from sandbox.dinero.views.common import respond

bp = Blueprint("dinero_contacts", __name__)

FILTERABLE = ("ExternalReference", "Name", "Email", "VatNumber", "EanNumber", "IsPerson", "Phone")
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_WRITABLE = (
    "ExternalReference Name Street ZipCode City CountryKey Phone Email Webpage AttPerson "
    "VatNumber EanNumber SENumber PNumber PaymentConditionType PaymentConditionNumberOfDays "
    "IsPerson IsMember MemberNumber UseCvr CompanyTypeKey InvoiceMailOutOptionKey "
    "PreferredInvoiceLanguageKey PreferredInvoiceCurrencyKey"
).split()


def vat_region(country_key: str) -> str:
    if country_key == "DK":
        return "DK"
    return "EU" if country_key in EU_COUNTRIES else "World"


def _check(data: dict[str, Any]) -> None:
    if not _COUNTRY.match(data["CountryKey"]):
        raise invalid(
            "CountryKey", f"'{data['CountryKey']}' is not an ISO 3166 alpha-2 country key."
        )
    check_one_of(
        "PaymentConditionType", data.get("PaymentConditionType"), CONTACT_PAYMENT_CONDITIONS
    )


def _apply(contact: dict[str, Any], data: dict[str, Any]) -> None:
    for name in _WRITABLE:
        contact[name] = data.get(name)
    if contact["PaymentConditionType"] is None:
        contact["PaymentConditionType"] = "Netto"
        contact["PaymentConditionNumberOfDays"] = contact["PaymentConditionNumberOfDays"] or 8
    contact["VatRegionKey"] = vat_region(data["CountryKey"])


def create_contact(
    org: Organization, data: dict[str, Any], debtor: bool = False, creditor: bool = False
) -> dict[str, Any]:
    """Store a new contact from a validated ``ContactCreateModel``."""
    guid = claim_guid(org, data.get("ContactGuid"), field="ContactGuid")
    moment = state.iso(state.now())
    contact: dict[str, Any] = {
        "ContactGuid": guid,
        "CreatedAt": moment,
        "UpdatedAt": moment,
        "DeletedAt": None,
        "IsDebitor": debtor,
        "IsCreditor": creditor,
        "CompanyStatus": None if data["IsPerson"] else "NORMAL",
    }
    _apply(contact, data)
    org.contacts[guid] = contact
    return contact


def _list(path: str):
    org = organization()
    every = list(org.contacts.values())
    deleted_only = listing.bool_arg("deletedOnly")
    records = [c for c in every if bool(c["DeletedAt"]) == deleted_only]
    records = listing.query_filtered(listing.changed_since(records), FILTERABLE)
    item, default_fields = listing.operation_items("GET", path)
    live = sum(1 for c in every if not c["DeletedAt"])
    return jsonify(listing.envelope(records, live, item, default_fields))


@bp.get("/v1/<organizationId>/contacts")
def list_v1(organizationId: str):
    return _list("/v1/{organizationId}/contacts")


@bp.get("/v2/<organizationId>/contacts")
def list_v2(organizationId: str):
    return _list("/v2/{organizationId}/contacts")


@bp.post("/v1/<organizationId>/contacts")
def create(organizationId: str):
    data = body()
    _check(data)
    contact = create_contact(organization(), data)
    return respond(contact)


@bp.get("/v1/<organizationId>/contacts/<guid>")
def get(organizationId: str, guid: str):
    contact = organization().contacts.get(guid.lower())
    if contact is None:
        raise NotFound("Contact")
    return respond(contact)


def _update(guid: str):
    contact = find(organization().contacts, guid, "Contact")
    data = body()
    _check(data)
    _apply(contact, data)
    contact["UpdatedAt"] = state.iso(state.now())
    return empty_ok()


@bp.put("/v1/<organizationId>/contacts/<guid>")
def update_v1(organizationId: str, guid: str):
    return _update(guid)


@bp.put("/v2/<organizationId>/contacts/<guid>")
def update_v2(organizationId: str, guid: str):
    return _update(guid)


@bp.delete("/v1/<organizationId>/contacts/<guid>")
def delete(organizationId: str, guid: str):
    contact = find(organization().contacts, guid, "Contact")
    contact["DeletedAt"] = contact["UpdatedAt"] = state.iso(state.now())
    return empty_ok()


@bp.post("/v1/<organizationId>/contacts/<guid>/restore")
def restore(organizationId: str, guid: str):
    contact = organization().contacts.get(guid.lower())
    if contact is None:
        raise NotFound("Contact")
    contact["DeletedAt"] = None
    contact["UpdatedAt"] = state.iso(state.now())
    return empty_ok()
