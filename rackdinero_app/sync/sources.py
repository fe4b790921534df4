"""Dinero's contacts and products, one page at a time, addressed by a cursor.

The cursor (``SyncRun.cursor``) is ``<phase>:<page>``: contacts first, then products, pages
0-based as Dinero counts them. Only one page is in memory at a time, whatever the size of the
organization, and a run resumes at the page it was on.
"""

from __future__ import annotations

from dataclasses import dataclass

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.sync.rules import Item
from rackdinero_app.sync.rules import contact_items
from rackdinero_app.sync.rules import product_item

PAGE_SIZE = 100
PHASES = ("contacts", "products")
# What the start sync reads of each record (``fields``; Dinero answers these keys as spelled).
CONTACT_FIELDS = (
    "ContactGuid,Name,Email,IsDebitor,IsCreditor,Street,ZipCode,City,CountryKey,Phone,"
    "VatNumber,EanNumber,AttPerson,VatRegionKey,PaymentConditionNumberOfDays,"
    "PreferredInvoiceCurrencyKey"
)
PRODUCT_FIELDS = "ProductGuid,ProductNumber,Name,BaseAmountValue,AccountNumber,Unit"
# phase → (version, path, fields)
LISTS = {
    "contacts": ("v2", "contacts", CONTACT_FIELDS),
    "products": ("v1", "products", PRODUCT_FIELDS),
}


@dataclass(frozen=True)
class Position:
    """A page of one phase; ``None`` stands for "every page is done"."""

    phase: str
    page: int

    @classmethod
    def parse(cls, cursor: str | None) -> Position:
        """Where a run starts (no cursor) or resumes."""
        if not cursor:
            return cls(PHASES[0], 0)
        phase, _, page = cursor.partition(":")
        if phase not in PHASES or not page.isdigit():
            raise ValueError(f"not a start-sync cursor: {cursor!r}")
        return cls(phase, int(page))

    def __str__(self) -> str:
        return f"{self.phase}:{self.page}"

    def after(self, last_page: bool) -> Position | None:
        """The next page, or the first page of the next phase after this phase's last."""
        if not last_page:
            return Position(self.phase, self.page + 1)
        following = PHASES.index(self.phase) + 1
        return Position(PHASES[following], 0) if following < len(PHASES) else None


def read_page(dinero: DineroClient, position: Position, page_size: int = PAGE_SIZE):
    """The items on one page and whether it is the phase's last page."""
    version, path, fields = LISTS[position.phase]
    answer = dinero.transport.call(
        "GET",
        version,
        path,
        params={
            "fields": fields,
            "deletedOnly": "false",
            "page": position.page,
            "pageSize": page_size,
        },
    )
    records = list(answer["Collection"] or []) if answer else []
    pagination = answer["Pagination"] if answer and "Pagination" in answer else {}
    last = not records or int(pagination.get("Result", len(records))) < int(
        pagination.get("PageSize", page_size)
    )
    items: list[Item] = []
    for record in records:
        if position.phase == "contacts":
            items.extend(contact_items(record))
        else:
            items.append(product_item(record))
    return items, last
