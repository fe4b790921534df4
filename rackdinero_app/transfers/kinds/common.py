"""What several kinds of transfer share: lookups that may find nothing, booking with a
TimeStamp, the products on an invoice's lines, and why a kind is switched off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import StaleTimestamp
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.messages import Message

CUSTOMERS_OFF = Message.of("customers_off")
SUPPLIERS_OFF = Message.of("suppliers_off")


def found(lookup: Callable[[], Any]) -> Any | None:
    """What ``lookup`` returns, or ``None`` when the other system has no such record."""
    try:
        return lookup()
    except NotFound:
        return None


def book(book: Callable, read: Callable, guid: str, timestamp: str):
    """Book with the TimeStamp we hold; on a stale one (code 58) re-read once, then book."""
    try:
        return book(guid, timestamp)
    except StaleTimestamp:
        current = read(guid)
        if str(current.get("Status", "")).lower() == "booked":
            return current
        return book(guid, current["TimeStamp"])  # records read keys in any casing


def created_in_dinero(
    document: str, status: str, number: str | None = None, **params: Any
) -> Message:
    """What a document ("invoice", "credit_note", "purchase_voucher") created in Dinero as a
    "draft" or "booked" says: its number once it has one and, with ``invoice=``, the invoice a
    credit note credits ("Created in Dinero as a booked invoice no. 5.")."""
    code = f"created_{status}_{document}"
    if number is not None:
        code, params = f"{code}_no", {**params, "number": number}
    if "invoice" in params:
        code += "_for"
    return Message.of(code, **params)


def line_products(job: TransferJob, lines) -> dict[str, dict]:
    """The Rackbeat products an invoice's lines name, read once each (a lot line names no
    product: the mapping refuses it with its own message)."""
    return {number: job.rackbeat.get_product(number) for number in mapping.product_numbers(lines)}
