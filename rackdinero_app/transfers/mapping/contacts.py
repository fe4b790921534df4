"""Rackbeat customers and suppliers → Dinero contacts (C1–C2, P1, P3).

Dinero has one contact resource for both; it has no customer or supplier numbers of its own,
so the Rackbeat number can go into the name (C2, P3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.mapping.countries import country_code
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message

_DANISH_CVR = re.compile(r"^DK\s*(\d{8})$", re.IGNORECASE)


def contact_name(record: Mapping[str, Any], include_number: bool) -> str:
    """The Dinero name: ``"1001 – Nordisk Cykel A/S"`` with the number, else the company name.

    Dinero's schema sets no maximum length for a contact name, so nothing is cut off.
    """
    name = text(record.get("company_name"))
    if name is None:
        raise InvalidSourceRecord(Message.of("contact_without_name", number=record.get("number")))
    number = text(record.get("number"))
    return f"{number} – {name}" if include_number and number else name


def contact_payload(
    record: Mapping[str, Any], *, include_number: bool, guid: str, external_reference: str
) -> dict[str, Any]:
    """Body of ``POST /v1/{org}/contacts`` (ContactCreateModel), with our own ContactGuid."""
    return {
        "ContactGuid": guid,
        "ExternalReference": external_reference,
        **_contact_fields(record, include_number),
    }


def contact_update_payload(
    record: Mapping[str, Any], *, include_number: bool, external_reference: str
) -> dict[str, Any]:
    """Body of ``PUT /v2/{org}/contacts/{guid}`` (ContactUpdateModel: no ContactGuid).

    The PUT replaces the whole contact: fields left out here are cleared in Dinero.
    """
    return {"ExternalReference": external_reference, **_contact_fields(record, include_number)}


def country_key(record: Mapping[str, Any]) -> str:
    """Dinero's CountryKey (ISO 3166-1 alpha-2) for a Rackbeat customer or supplier, whose
    ``address_country`` may be a code or a name ("NO", "nor", "Norge", "Norway").

    A contact without a country is refused, as before; one whose country is not recognised
    is refused naming the value, never sent as some default country.
    """
    who = {"name": record.get("company_name"), "number": record.get("number")}
    country = text(record.get("address_country"))
    if country is None:
        raise InvalidSourceRecord(Message.of("contact_without_country", **who))
    code = country_code(country)
    if code is None:
        raise InvalidSourceRecord(Message.of("unknown_country", country=country, **who))
    return code


def _contact_fields(record: Mapping[str, Any], include_number: bool) -> dict[str, Any]:
    country = country_key(record)
    street = ", ".join(
        part
        for part in (text(record.get("address_street")), text(record.get("address_street2")))
        if part
    )
    return {
        "Name": contact_name(record, include_number),
        "Street": street or None,
        "ZipCode": text(record.get("address_zipcode")),
        "City": text(record.get("address_city")),
        "CountryKey": country,
        "Phone": text(record.get("contact_phone")),
        "Email": text(record.get("contact_email")),
        "AttPerson": text(record.get("attention")),
        "VatNumber": _vat_number(text(record.get("company_vat")), country),
        "EanNumber": text(record.get("ean")),
        # Rackbeat contacts are companies; CVR look-ups would overwrite the Rackbeat data.
        "IsPerson": False,
        "IsMember": False,
        "UseCvr": False,
    }


def _vat_number(vat: str | None, country: str) -> str | None:
    """Dinero keeps a Danish company's CVR as 8 digits; foreign VAT ids keep their prefix."""
    if vat is not None and country == "DK" and (match := _DANISH_CVR.match(vat)):
        return match.group(1)
    return vat
