"""Many contacts and products at once, for tests and benchmarks of the start sync.

``add(org, contacts=…, products=…)`` stores them directly (no HTTP, no validation round trip),
so 20,000 records take well under a second; ``POST /_sandbox/bulk`` does the same over HTTP.
Every ``no_email_every``-th contact has no e-mail address, every ``supplier_every``-th is a
supplier (the others customers), and every ``no_number_every``-th product has no number.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.dinero.state import Organization
from sandbox.dinero.views.contacts import create_contact
from sandbox.dinero.views.products import create_product


@dataclass(frozen=True)
class Bulk:
    contacts: int = 0
    products: int = 0
    prefix: str = "bulk"
    no_email_every: int = 0
    supplier_every: int = 0
    no_number_every: int = 0


def _every(index: int, step: int) -> bool:
    return step > 0 and index % step == 0


def add(org: Organization, bulk: Bulk) -> dict[str, int]:
    """Store ``bulk``'s contacts and products in ``org``; returns how many of each."""
    for index in range(1, bulk.contacts + 1):
        data = {
            "Name": f"{bulk.prefix.capitalize()} Kunde {index}",
            "CountryKey": "DK",
            "IsPerson": False,
            "IsMember": False,
            "UseCvr": False,
            "Email": None if _every(index, bulk.no_email_every) else f"{bulk.prefix}{index}@x.dk",
            "City": "Odense C",
        }
        supplier = _every(index, bulk.supplier_every)
        create_contact(org, data, debtor=not supplier, creditor=supplier)
    for index in range(1, bulk.products + 1):
        number = None if _every(index, bulk.no_number_every) else f"{bulk.prefix}-{index:06d}"
        data = {
            "ProductNumber": number,
            "Name": f"{bulk.prefix.capitalize()} vare {index}",
            "AccountNumber": 1000,
            "BaseAmountValue": float(10 + index % 90),
            "Quantity": 1.0,
            "Unit": "parts",
        }
        create_product(org, data)
    return {"contacts": bulk.contacts, "products": bulk.products}
