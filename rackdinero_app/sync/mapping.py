"""Dinero record → the body that creates it in Rackbeat (pure; the choices come in).

Rackbeat needs a product group for a product and payment terms for a contact, which Dinero
does not have: the group is the one whose domestic revenue account (C6) is the product's
account, else Rackbeat's first group; the payment terms are the first with the contact's number
of days, else Rackbeat's first. A unit is the Rackbeat unit mapped to the product's Dinero unit
(C7), if any.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from rackdinero_app.payment_terms import payment_terms_for

TEXT_LENGTH = 255
VAT_ZONES = {"DK": "domestic", "EU": "eu", "World": "abroad"}
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Rackbeat field ← Dinero field, for both customers and suppliers.
CONTACT_FIELDS = {
    "address_street": "Street",
    "address_zipcode": "ZipCode",
    "address_city": "City",
    "contact_phone": "Phone",
    "company_vat": "VatNumber",
    "ean": "EanNumber",
    "attention": "AttPerson",
}


@dataclass(frozen=True)
class Choices:
    """What the Rackbeat account and the settings offer for the bodies."""

    groups: tuple[int, ...] = ()
    group_by_account: Mapping[int, int] = field(default_factory=dict)
    unit_by_dinero_unit: Mapping[str, int] = field(default_factory=dict)
    payment_terms: tuple[tuple[int, int | None], ...] = ()  # (number, days), by number

    def group_for(self, account_number: Any) -> int | None:
        try:
            mapped = self.group_by_account.get(int(account_number))
        except (TypeError, ValueError):
            mapped = None
        return mapped if mapped is not None else (self.groups[0] if self.groups else None)

    def payment_terms_for(self, days: Any) -> int | None:
        return payment_terms_for(self.payment_terms, days)


def _text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text[:TEXT_LENGTH] or None


def _present(body: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in body.items() if value is not None}


def contact_body(contact: Mapping[str, Any], email: str, choices: Choices) -> dict[str, Any]:
    """A Rackbeat customer or supplier (the same fields) from a Dinero contact."""
    country = _text(contact.get("CountryKey"))
    currency = _text(contact.get("PreferredInvoiceCurrencyKey"))
    body = {
        "company_name": _text(contact.get("Name")) or email,
        "contact_email": email,
        "address_country": country if country and _COUNTRY.match(country) else None,
        "currency": currency if currency and _CURRENCY.match(currency) else None,
        "vat_zone": VAT_ZONES.get(str(contact.get("VatRegionKey"))),
        "payment_terms_id": choices.payment_terms_for(contact.get("PaymentConditionNumberOfDays")),
    }
    for rackbeat_name, dinero_name in CONTACT_FIELDS.items():
        body[rackbeat_name] = _text(contact.get(dinero_name))
    return _present(body)


def product_body(product: Mapping[str, Any], number: str, choices: Choices) -> dict[str, Any]:
    """A Rackbeat product from a Dinero product (its price excludes VAT in both systems)."""
    price = product.get("BaseAmountValue")
    return _present(
        {
            "number": number,
            "name": _text(product.get("Name")) or number,
            "group": choices.group_for(product.get("AccountNumber")),
            "unit": choices.unit_by_dinero_unit.get(str(product.get("Unit"))),
            "sales_price": float(price) if isinstance(price, int | float) and price >= 0 else None,
        }
    )
