"""Record operations shared by the API and the UI: validate, create, update, book.

Records are plain dicts shaped as the API returns them; each write fires its webhook unless the
caller suppresses it.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.rackbeat.store import Account

SINGULAR = {
    "customers": "customer",
    "suppliers": "supplier",
    "products": "product",
    "product_groups": "product_group",
    "units": "unit",
    "layouts": "layout",
    "payment_terms": "payment_term",
    "customer_invoices": "customer_invoice",
    "supplier_invoices": "supplier_invoice",
}

# Resources keyed by a string number; every other resource is keyed by an integer.
STRING_KEYED = frozenset({"products"})


class RecordNotFound(Exception):
    """No such record in this account: answered as 404."""

    def __init__(self, resource: str, key: Any) -> None:
        label = SINGULAR[resource].replace("_", " ").capitalize()
        super().__init__(f"{label} {key} was not found.")
        self.resource = resource
        self.key = key


def parse_key(resource: str, raw: str) -> Any:
    """Turn a URL segment into the record key; a malformed key is simply not found."""
    if resource in STRING_KEYED:
        return raw
    if not raw.isdigit():
        raise RecordNotFound(resource, raw)
    return int(raw)


def find(account: Account, resource: str, key: Any) -> dict[str, Any]:
    record = account.records[resource].get(key)
    if record is None:
        raise RecordNotFound(resource, key)
    return record


def listing(account: Account, resource: str) -> list[dict[str, Any]]:
    """All records of a resource in key order, as copies the caller may change."""
    records = account.records[resource]
    return [copy.deepcopy(records[key]) for key in sorted(records, key=sort_key)]


def next_number(account: Account, resource: str, start: int = 1) -> int:
    numbers = [key for key in account.records[resource] if isinstance(key, int)]
    return max(numbers, default=start - 1) + 1


def sort_key(key: Any) -> tuple[int, Any]:
    return (0, key) if isinstance(key, int) else (1, str(key))
