"""The Rackbeat side of the start sync: find a record by its key, create one.

Matches are looked up one record at a time with Rackbeat's list filter
(``simple_filter[number]``, ``simple_filter[contact_email]``), never by loading Rackbeat's
lists, so memory stays flat however many records either side holds. An e-mail address is
also looked up in lower case, since the filter compares exactly. Every write suppresses
Rackbeat's webhooks (``RackbeatClient._write``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.sync.rules import same_key

# More matches than this for one key would mean Rackbeat is full of duplicates; the first do.
MAX_MATCHES = 20


def _listing(rackbeat: RackbeatClient, kind: EntityKind, field: str, value: str) -> Iterator:
    options = {"limit": MAX_MATCHES, f"simple_filter[{field}]": value}
    if kind == EntityKind.CUSTOMER:
        return rackbeat.iter_customers(**options)
    if kind == EntityKind.SUPPLIER:
        return rackbeat.iter_suppliers(**options)
    return rackbeat.iter_products(**options)


def find(rackbeat: RackbeatClient, kind: EntityKind, key: str) -> list[Mapping[str, Any]]:
    """The Rackbeat records of ``kind`` with this key (product number or e-mail address)."""
    if kind == EntityKind.PRODUCT:
        values = [key]
    else:
        values = list(dict.fromkeys((key, key.lower())))
    field = "number" if kind == EntityKind.PRODUCT else "contact_email"
    for value in values:
        found = [
            record
            for record in itertools.islice(_listing(rackbeat, kind, field, value), MAX_MATCHES)
            if same_key(kind, key, record)
        ]
        if found:
            return found
    return []


def create(rackbeat: RackbeatClient, kind: EntityKind, body: Mapping[str, Any]) -> Mapping:
    if kind == EntityKind.CUSTOMER:
        return rackbeat.create_customer(body)
    if kind == EntityKind.SUPPLIER:
        return rackbeat.create_supplier(body)
    return rackbeat.create_product(body)
