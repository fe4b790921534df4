"""Records as Rackbeat's public models show them (reference: rackbeat.md §2).

The sandbox's own records carry a few fields that no public model shows, and that a real
account may therefore not send: an invoice's ``total_vat``, ``invoice_date`` and
``credited_invoice_id``, a line's ``unit_id`` and ``cost_price``, a product's ``cost_price``
(the models show ``recommended_cost_price``). ``address_country`` is plain text in the models,
so a real account may hold a name ("Norge") where the sandbox seeds a code. Each function
here turns one stored record into that shape, in place; ``seed.as_public_model`` does it to a
whole account, so tests and the demo see what a real account may send.
"""

from __future__ import annotations

from typing import Any

INVOICE_FIELDS = ("total_vat", "invoice_date", "credited_invoice_id")
LINE_FIELDS = ("unit_id", "cost_price")
PRODUCT_FIELDS = ("cost_price",)
# The seeded countries as their own people write them, in several languages on purpose.
COUNTRY_NAMES = {
    "DK": "Danmark",
    "DE": "Deutschland",
    "SE": "Sverige",
    "NO": "Norge",
    "US": "United States",
}


def reshape_invoice(record: dict[str, Any]) -> dict[str, Any]:
    """A customer or supplier invoice without the fields no public model shows."""
    for name in INVOICE_FIELDS:
        record.pop(name, None)
    for line in record.get("lines") or []:
        for name in LINE_FIELDS:
            line.pop(name, None)
    return record


def reshape_product(record: dict[str, Any]) -> dict[str, Any]:
    """A product with only the cost price the public model shows."""
    for name in PRODUCT_FIELDS:
        record.pop(name, None)
    return record


def reshape_contact(record: dict[str, Any]) -> dict[str, Any]:
    """A customer or supplier whose country is written as a name, where the sandbox knows one."""
    country = record.get("address_country")
    record["address_country"] = COUNTRY_NAMES.get(country, country)
    return record
