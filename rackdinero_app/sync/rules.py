"""What the start sync does with each Dinero record (S2), as pure functions over plain data.

A Dinero contact is a customer when ``IsDebitor`` is set and a supplier when ``IsCreditor`` is
set (both, or neither, happen); each role is handled on its own. Products need a product number,
customers and suppliers an e-mail address. A record is matched in Rackbeat by that same value:
the product number exactly, the e-mail address without regard to case. A match that already
stands for another Dinero record is not taken twice (an entity link is unique both ways).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import SyncOutcome

KINDS = (EntityKind.CUSTOMER, EntityKind.SUPPLIER, EntityKind.PRODUCT)
LABEL_LENGTH = 255


@dataclass(frozen=True)
class Reason:
    """A code of ``sync/reasons.py`` with its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """One Dinero record in one role (a contact that is customer and supplier is two items).

    ``key`` is what it is matched by in Rackbeat (product number or e-mail address); an item
    that is not eligible has no key and says why in ``skip``."""

    kind: EntityKind
    guid: str
    label: str
    key: str | None
    skip: Reason | None
    record: Mapping[str, Any]


@dataclass(frozen=True)
class Candidate:
    """A Rackbeat record with the same key, and the Dinero record it is linked to, if any."""

    rackbeat_key: str
    linked_to: str | None


@dataclass(frozen=True)
class Decision:
    """What to do with an item: create it, link it to ``rackbeat_key``, or skip it."""

    outcome: SyncOutcome
    rackbeat_key: str | None = None
    reason: Reason | None = None

    @property
    def creates(self) -> bool:
        return self.outcome == SyncOutcome.CREATED


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _label(*parts: Any) -> str:
    return " – ".join(text for text in (_text(part) for part in parts) if text)[:LABEL_LENGTH]


def contact_items(contact: Mapping[str, Any]) -> list[Item]:
    """The roles of one Dinero contact, each eligible only with an e-mail address."""
    guid = _text(contact.get("ContactGuid")).lower()
    label = _label(contact.get("Name")) or guid
    email = _text(contact.get("Email"))
    roles = [
        kind
        for kind, flag in ((EntityKind.CUSTOMER, "IsDebitor"), (EntityKind.SUPPLIER, "IsCreditor"))
        if contact.get(flag)
    ]
    if not roles:
        return [Item(EntityKind.CUSTOMER, guid, label, None, Reason("contact_not_used"), contact)]
    skip = None if email else Reason("no_email")
    return [Item(kind, guid, label, email or None, skip, contact) for kind in roles]


def product_item(product: Mapping[str, Any]) -> Item:
    """A Dinero product, eligible only with a product number."""
    guid = _text(product.get("ProductGuid")).lower()
    number = _text(product.get("ProductNumber"))
    label = _label(number, product.get("Name")) or guid
    skip = None if number else Reason("no_product_number")
    return Item(EntityKind.PRODUCT, guid, label, number or None, skip, product)


def rackbeat_key_of(record: Mapping[str, Any]) -> str:
    return str(record["number"])


def same_key(kind: EntityKind, key: str, record: Mapping[str, Any]) -> bool:
    """Whether a Rackbeat record found by a list filter really has the item's key."""
    if kind == EntityKind.PRODUCT:
        return _text(record.get("number")) == key
    return _text(record.get("contact_email")).casefold() == key.casefold()


def already_linked(rackbeat_key: str) -> Decision:
    """The Dinero record is linked already (an earlier run, or a transfer from Rackbeat)."""
    return Decision(
        SyncOutcome.LINKED, rackbeat_key, Reason("already_linked", {"number": rackbeat_key})
    )


def decide(item: Item, candidates: Iterable[Candidate]) -> Decision:
    """Link to the first Rackbeat match that is free (or already this record's), create when
    there is none, and skip when every match stands for another Dinero record."""
    if item.skip is not None or item.key is None:
        return Decision(SyncOutcome.SKIPPED, reason=item.skip)
    candidates = list(candidates)
    for candidate in candidates:
        if candidate.linked_to == item.guid:
            return already_linked(candidate.rackbeat_key)
    for candidate in candidates:
        if candidate.linked_to is None:
            code = "matched_number" if item.kind == EntityKind.PRODUCT else "matched_email"
            reason = Reason(code, {"number": candidate.rackbeat_key})
            return Decision(SyncOutcome.LINKED, candidate.rackbeat_key, reason)
    if candidates:
        number = candidates[0].rackbeat_key
        if item.kind == EntityKind.PRODUCT:
            reason = Reason("number_taken", {"number": number})
        else:
            reason = Reason("email_taken", {"number": number, "email": item.key})
        return Decision(SyncOutcome.SKIPPED, reason=reason)
    return Decision(SyncOutcome.CREATED)


def created(rackbeat_key: str) -> Decision:
    return Decision(SyncOutcome.CREATED, rackbeat_key, Reason("created", {"number": rackbeat_key}))


def rejected(details: str) -> Decision:
    """Rackbeat refused the record; ``details`` is its own text (field: message; …)."""
    return Decision(SyncOutcome.FAILED, reason=Reason("rejected_by_rackbeat", {"details": details}))
