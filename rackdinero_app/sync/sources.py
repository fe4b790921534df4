"""Dinero's contacts and products, one page at a time, addressed by a cursor.

The cursor (``SyncRun.cursor``) is ``<phase>:<page>``: contacts first, then products, pages
0-based as Dinero counts them. Only one page is in memory at a time, whatever the size of the
organization, and a run resumes at the page it was on.

Dinero lists in its own order (products by when they last changed), so a record changed while
a pass reads the pages moves, and may push another record back onto a page already read. A run
therefore reads everything once more when anything changed since its pass began
(``changed_since``); those later passes are ``<phase>:<page>/p<pass>@<epoch seconds it began>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

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


CURSOR = re.compile(r"^(?P<phase>\w+):(?P<page>\d+)(?:/p(?P<pass_>\d+)@(?P<began>\d+))?$")
MAX_PASSES = 3


@dataclass(frozen=True)
class Position:
    """A page of one phase in one pass; ``None`` stands for "every page is done". ``began`` is
    when a later pass began (the first pass began when the run started)."""

    phase: str
    page: int
    pass_: int = 1
    began: int | None = None

    @classmethod
    def parse(cls, cursor: str | None) -> Position:
        """Where a run starts (no cursor) or resumes."""
        if not cursor:
            return cls(PHASES[0], 0)
        match = CURSOR.match(cursor)
        if match is None or match["phase"] not in PHASES:
            raise ValueError(f"not a start-sync cursor: {cursor!r}")
        if match["pass_"] is None:
            return cls(match["phase"], int(match["page"]))
        return cls(match["phase"], int(match["page"]), int(match["pass_"]), int(match["began"]))

    def __str__(self) -> str:
        where = f"{self.phase}:{self.page}"
        return where if self.pass_ == 1 else f"{where}/p{self.pass_}@{self.began}"

    def after(self, last_page: bool) -> Position | None:
        """The next page, or the first page of the next phase after this phase's last."""
        if not last_page:
            return Position(self.phase, self.page + 1, self.pass_, self.began)
        following = PHASES.index(self.phase) + 1
        if following == len(PHASES):
            return None
        return Position(PHASES[following], 0, self.pass_, self.began)

    def began_at(self, run_started: datetime) -> datetime:
        return run_started if self.began is None else datetime.fromtimestamp(self.began, UTC)

    def next_pass(self, now: datetime) -> Position | None:
        """The start of one more pass over everything, unless the passes are used up."""
        if self.pass_ >= MAX_PASSES:
            return None
        return Position(PHASES[0], 0, self.pass_ + 1, int(now.timestamp()))


def _page_reader(dinero: DineroClient, phase: str):
    return dinero.contacts_page if phase == "contacts" else dinero.products_page


def read_page(dinero: DineroClient, position: Position, page_size: int = PAGE_SIZE):
    """The items on one page and whether it is the phase's last page."""
    fields = CONTACT_FIELDS if position.phase == "contacts" else PRODUCT_FIELDS
    read = _page_reader(dinero, position.phase)
    records, last = read(position.page, fields=fields, page_size=page_size)
    items: list[Item] = []
    for record in records:
        if position.phase == "contacts":
            items.extend(contact_items(record))
        else:
            items.append(product_item(record))
    return items, last


def changed_since(dinero: DineroClient, moment: datetime) -> bool:
    """Whether any contact or product changed in Dinero at or after ``moment`` (one small
    request per list)."""
    for phase, fields in (("contacts", "ContactGuid"), ("products", "ProductGuid")):
        records, _ = _page_reader(dinero, phase)(
            0, fields=fields, changes_since=moment, page_size=1
        )
        if records:
            return True
    return False
