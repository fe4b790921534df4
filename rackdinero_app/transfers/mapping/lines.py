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


def document_label(invoice: Mapping[str, Any], kind: str = "invoice") -> str:
    """How messages name the Rackbeat document: ``Rackbeat invoice 1001``."""
    return f"Rackbeat {kind} {invoice.get('number')}"


def invoice_lines(invoice: Mapping[str, Any], document: str) -> Sequence[Mapping[str, Any]]:
    lines = invoice.get("lines") or []
    if not lines:
        raise InvalidSourceRecord(f"{document} has no lines.")
    return lines


def line_label(line: Mapping[str, Any], index: int) -> str:
    """``line 2 ("Egetræsbord")``, for messages."""
    name = text(line.get("name")) or text(line.get("child_id")) or "without a name"
    return f'line {index + 1} ("{name}")'


def line_product(
    line: Mapping[str, Any], index: int, document: str, products: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any]:
    """The product record of a line; its group chooses the account (C6, P4)."""
    number = text(line.get("child_id"))
    product = products.get(number) if number is not None else None
    if product is None:
        what = f"product {number}, which was not found" if number else "no product"
        raise InvalidSourceRecord(
            f"{document}: {line_label(line, index)} has {what}. Every line needs a product."
        )
    return product


def line_quantity(line: Mapping[str, Any], index: int, document: str) -> Decimal:
    return dec(line.get("quantity"), f"The quantity on {line_label(line, index)} of {document}")


def line_price(line: Mapping[str, Any], index: int, document: str) -> Decimal:
    """Unit price excl. VAT, in the invoice's currency."""
    return dec(line.get("line_price"), f"The price on {line_label(line, index)} of {document}")


def line_discount(line: Mapping[str, Any], index: int, document: str) -> Decimal:
    """Discount in percent (0–100)."""
    raw = line.get("discount_percentage")
    what = f"The discount on {line_label(line, index)} of {document}"
    discount = Decimal(0) if raw is None else dec(raw, what)
    if not 0 <= discount <= HUNDRED:
        raise InvalidSourceRecord(f"{what} must be between 0 and 100 %, not {discount}.")
    return discount


def line_total(line: Mapping[str, Any], index: int, document: str) -> Decimal:
    """Quantity × unit price × (1 − discount), rounded to øre per line as Dinero does."""
    quantity = line_quantity(line, index, document)
    price = line_price(line, index, document)
    discount = line_discount(line, index, document)
    return cents(quantity * price * (1 - discount / HUNDRED))


def lines_total(invoice: Mapping[str, Any], document: str) -> Decimal:
    """Sum of the line totals excl. VAT."""
    lines = invoice_lines(invoice, document)
    return sum((line_total(line, i, document) for i, line in enumerate(lines)), Decimal(0))
