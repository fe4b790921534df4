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
from rackdinero_app.transfers.mapping.values import reference
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


def is_lot_line(line: Mapping[str, Any]) -> bool:
    """A line whose ``child_type`` is ``lot``: its ``child_id`` is a lot's number, not a
    product's (reference: SupplierInvoiceLine, "lot if is Lot and product if is Product")."""
    return (text(line.get("child_type")) or "").lower() == "lot"


def product_numbers(lines: Sequence[Mapping[str, Any]]) -> set[str]:
    """The product numbers an invoice's lines name: the products a handler reads for
    ``line_product``. A lot line names a lot, which is no product and is refused there."""
    return {
        number
        for line in lines
        if not is_lot_line(line) and (number := text(line.get("child_id"))) is not None
    }


def line_product(
    line: Mapping[str, Any],
    index: int,
    document: Message,
    products: Mapping[str, Mapping[str, Any]],
) -> Mapping[str, Any]:
    """The product record of a line; its group chooses the account (C6, P4).

    A lot is a bundle of products (Rackbeat's LotLine: ``product_id``, ``quantity``) that may
    sit in different product groups, so no one group chooses its account or cost: a lot line
    is refused, naming the line, rather than booked through a product of the same number.
    """
    number = text(line.get("child_id"))
    if is_lot_line(line):
        raise InvalidSourceRecord(
            Message.of("lot_line", document=document, line=line_label(line, index), lot=number)
        )
    product = products.get(number) if number is not None else None
    if product is None:
        where = {"document": document, "line": line_label(line, index)}
        raise InvalidSourceRecord(
            Message.of("line_product_not_found", product=number, **where)
            if number
            else Message.of("line_without_product", **where)
        )
    return product


def line_unit(line: Mapping[str, Any], product: Mapping[str, Any]) -> Any:
    """The Rackbeat unit of a line: its own (``unit_id``, or a nested ``unit``), else its
    product's ``unit``; None when neither names one. No public model shows a unit on a line,
    and the product record is read for every line anyway."""
    for unit in (line.get("unit_id"), line.get("unit"), product.get("unit")):
        if text(reference(unit)) is not None:
            return unit
    return None


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
