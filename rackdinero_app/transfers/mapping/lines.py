"""Reading the lines of a Rackbeat customer or supplier invoice."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.mapping.values import HUNDRED
from rackdinero_app.transfers.mapping.values import cents
from rackdinero_app.transfers.mapping.values import dec
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message

DOCUMENTS = {
    "invoice": "document_invoice",
    "credit note": "document_credit_note",
    "supplier invoice": "document_supplier_invoice",
}


def document_label(invoice: Mapping[str, Any], kind: str = "invoice") -> Message:
    """How messages name the Rackbeat document: ``Rackbeat invoice 1001``."""
    return Message.of(DOCUMENTS[kind], number=invoice.get("number"))


def invoice_lines(invoice: Mapping[str, Any], document: Message) -> Sequence[Mapping[str, Any]]:
    lines = invoice.get("lines") or []
    if not lines:
        raise InvalidSourceRecord(Message.of("invoice_without_lines", document=document))
    return lines


def line_label(line: Mapping[str, Any], index: int) -> Message:
    """``line 2 ("Egetræsbord")``, for messages."""
    name = text(line.get("name")) or text(line.get("child_id")) or Message.of("line_without_name")
    return Message.of("line", position=index + 1, name=name)


def line_product(
    line: Mapping[str, Any],
    index: int,
    document: Message,
    products: Mapping[str, Mapping[str, Any]],
) -> Mapping[str, Any]:
    """The product record of a line; its group chooses the account (C6, P4)."""
    number = text(line.get("child_id"))
    product = products.get(number) if number is not None else None
    if product is None:
        where = {"document": document, "line": line_label(line, index)}
        raise InvalidSourceRecord(
            Message.of("line_product_not_found", product=number, **where)
            if number
            else Message.of("line_without_product", **where)
        )
    return product


def _on_line(what: str, line: Mapping[str, Any], index: int, document: Message) -> Message:
    return Message.of(what, line=line_label(line, index), document=document)


def line_quantity(line: Mapping[str, Any], index: int, document: Message) -> Decimal:
    return dec(line.get("quantity"), _on_line("quantity_on_line", line, index, document))


def line_price(line: Mapping[str, Any], index: int, document: Message) -> Decimal:
    """Unit price excl. VAT, in the invoice's currency."""
    return dec(line.get("line_price"), _on_line("price_on_line", line, index, document))


def line_discount(line: Mapping[str, Any], index: int, document: Message) -> Decimal:
    """Discount in percent (0–100)."""
    raw = line.get("discount_percentage")
    what = _on_line("discount_on_line", line, index, document)
    discount = Decimal(0) if raw is None else dec(raw, what)
    if not 0 <= discount <= HUNDRED:
        raise InvalidSourceRecord(Message.of("discount_out_of_range", what=what, discount=discount))
    return discount


def line_total(line: Mapping[str, Any], index: int, document: Message) -> Decimal:
    """Quantity × unit price × (1 − discount), rounded to øre per line as Dinero does."""
    quantity = line_quantity(line, index, document)
    price = line_price(line, index, document)
    discount = line_discount(line, index, document)
    return cents(quantity * price * (1 - discount / HUNDRED))


def lines_total(invoice: Mapping[str, Any], document: Message) -> Decimal:
    """Sum of the line totals excl. VAT."""
    lines = invoice_lines(invoice, document)
    return sum((line_total(line, i, document) for i, line in enumerate(lines)), Decimal(0))
