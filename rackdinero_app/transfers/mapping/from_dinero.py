"""Dinero invoices and sales credit notes → booked Rackbeat customer invoices (C5, from Dinero).

The other direction of ``mapping/sales.py``: Dinero's read models in (as the API returns them,
any key casing), Rackbeat create bodies out. A Dinero credit note has positive quantities and
becomes a Rackbeat invoice whose lines add up to less than zero, so the signs are turned.

Every imported invoice carries its Dinero identity in its note (``[dinero:<guid>]``): a retry
finds the invoice it created before its answer was lost, and the Rackbeat → Dinero transfer
refuses to send it back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import VatZone
from rackdinero_app.payment_terms import Terms
from rackdinero_app.payment_terms import payment_terms_for
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.mapping.values import HUNDRED
from rackdinero_app.transfers.mapping.values import cents
from rackdinero_app.transfers.mapping.values import money
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message

_MARK = re.compile(r"\[dinero:([0-9a-fA-F-]{36})\]")
# Dinero's VAT regions (contacts' VatRegionKey) are Rackbeat's VAT zones.
VAT_ZONES = {"DK": VatZone.DOMESTIC, "EU": VatZone.EU, "World": VatZone.ABROAD}
DOCUMENTS = {
    EntityKind.CUSTOMER_INVOICE: "document_dinero_invoice",
    EntityKind.CREDIT_NOTE: "document_dinero_credit_note",
}
# Dinero's statuses of a booked sales voucher in its lists (``Status`` there is the payment
# status): Booked alone would miss every invoice paid before the import saw it.
BOOKED_STATUSES = ("Booked", "Paid", "OverPaid", "Overdue")


def voucher_mark(guid: str) -> str:
    """The Dinero identity written into an imported invoice's note."""
    return f"[dinero:{guid.lower()}]"


def dinero_voucher_of(invoice: Mapping[str, Any]) -> str | None:
    """The guid of the Dinero voucher a Rackbeat invoice was imported from, if it was."""
    found = _MARK.search(str(invoice.get("note") or ""))
    return found.group(1).lower() if found else None


def came_from_rackbeat(voucher: Mapping[str, Any], rackbeat_account_id: int) -> bool:
    """A Dinero voucher the app made from a Rackbeat invoice (``transfers.identity``)."""
    reference = str(voucher.get("ExternalReference") or "")
    return reference.startswith(f"rackbeat:{rackbeat_account_id}:")


def voucher_label(kind: EntityKind, voucher: Mapping[str, Any]) -> Message:
    """How messages name the Dinero document: ``Dinero invoice 12``."""
    number = voucher.get("Number")
    shown = number if number else text(voucher.get("Description")) or voucher.get("Guid")
    return Message.of(DOCUMENTS[kind], number=shown)


def is_booked(voucher: Mapping[str, Any]) -> bool:
    return str(voucher.get("Status") or "") in BOOKED_STATUSES


def product_lines(voucher: Mapping[str, Any], document: Message) -> list[Mapping[str, Any]]:
    """The lines that carry an amount; text lines are headings in Dinero and are left out.
    Rackbeat needs a product on every line, so a product line without one cannot come over."""
    lines = [
        line
        for line in voucher.get("ProductLines") or []
        if str(line.get("LineType") or "Product") != "Text"
    ]
    if not lines:
        raise InvalidSourceRecord(Message.of("invoice_without_lines", document=document))
    for index, line in enumerate(lines):
        if not text(line.get("ProductGuid")):
            raise InvalidSourceRecord(
                Message.of(
                    "dinero_line_without_product", document=document, line=_line(line, index)
                )
            )
    return lines


def _line(line: Mapping[str, Any], index: int) -> Message:
    name = text(line.get("Description")) or Message.of("line_without_name")
    return Message.of("line", position=index + 1, name=name)


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def customer_invoice_body(
    kind: EntityKind,
    voucher: Mapping[str, Any],
    *,
    customer_number: str,
    product_numbers: Mapping[str, str],
    credited_invoice: str | None = None,
) -> dict[str, Any]:
    """The Rackbeat create body of a booked customer invoice (``book``) for a Dinero invoice or
    credit note; ``product_numbers`` gives the Rackbeat product of each Dinero ProductGuid."""
    document = voucher_label(kind, voucher)
    sign = -1 if kind == EntityKind.CREDIT_NOTE else 1
    lines = []
    subtotal = Decimal(0)
    for line in product_lines(voucher, document):
        quantity = sign * _decimal(line.get("Quantity"))
        price = _decimal(line.get("BaseAmountValue"))
        discount = _decimal(line.get("Discount"))
        subtotal += cents(quantity * price * (1 - discount / HUNDRED))
        lines.append(
            {
                "child_id": product_numbers[str(line["ProductGuid"]).lower()],
                "name": text(line.get("Description")),
                "quantity": float(quantity),
                "line_price": float(price),
                "discount_percentage": float(discount),
            }
        )
    _check_subtotal(voucher, sign * subtotal, len(lines), document)
    body: dict[str, Any] = {
        "customer_id": int(customer_number),
        "currency": text(voucher.get("Currency")) or "DKK",
        "invoice_date": str(voucher.get("Date"))[:10],
        "heading": text(voucher.get("Description")),
        "note": f"Dinero {voucher.get('Number')} {voucher_mark(str(voucher['Guid']))}",
        "lines": lines,
        "book": True,
    }
    if credited_invoice is not None:
        body["credited_invoice_id"] = int(credited_invoice)
    return body


def _check_subtotal(
    voucher: Mapping[str, Any], lines_total: Decimal, line_count: int, document: Message
) -> None:
    """The lines must add up to Dinero's own total excl. VAT (within a cent per line): a line
    the mapping left out would otherwise change the invoice without anyone noticing."""
    dinero_total = voucher.get("TotalExclVat")
    if dinero_total is None:
        return
    expected = cents(_decimal(dinero_total))
    if abs(expected - lines_total) > Decimal("0.01") * line_count:
        raise InvalidSourceRecord(
            Message.of(
                "imported_total_differs",
                document=document,
                lines=f"{lines_total:.2f}",
                dinero=f"{expected:.2f}",
            )
        )


def customer_body(contact: Mapping[str, Any], payment_terms: Terms) -> dict[str, Any]:
    """A Rackbeat customer for a Dinero contact (only ever created with an e-mail address),
    with the payment terms Rackbeat requires (``payment_terms``: the account's)."""
    body = {
        "company_name": text(contact.get("Name")),
        "payment_terms_id": payment_terms_for(
            payment_terms, contact.get("PaymentConditionNumberOfDays")
        ),
        "contact_email": text(contact.get("Email")),
        "contact_phone": text(contact.get("Phone")),
        "address_street": text(contact.get("Street")),
        "address_zipcode": text(contact.get("ZipCode")),
        "address_city": text(contact.get("City")),
        "address_country": text(contact.get("CountryKey")),
        "company_vat": text(contact.get("VatNumber")),
        "ean": text(contact.get("EanNumber")),
        "vat_zone": vat_zone_of_contact(contact).value,
    }
    return {name: value for name, value in body.items() if value is not None}


def vat_zone_of_contact(contact: Mapping[str, Any]) -> VatZone:
    return VAT_ZONES.get(str(contact.get("VatRegionKey") or "DK"), VatZone.DOMESTIC)


def product_body(product: Mapping[str, Any], *, group: str, unit: str | None) -> dict[str, Any]:
    """A Rackbeat product for a Dinero product with a product number (S2's rule, too)."""
    body: dict[str, Any] = {
        "number": text(product.get("ProductNumber")),
        "name": text(product.get("Name")) or text(product.get("ProductNumber")),
        "group": int(group),
        "sales_price": money(_decimal(product.get("BaseAmountValue"))),
    }
    if unit is not None:
        body["unit"] = int(unit)
    return body


def group_for_account(settings: SettingsSnapshot, account_number: Any, zone: VatZone) -> str | None:
    """The product group a new product goes into: the one whose revenue account (C6) for the
    customer's zone is the line's account; any zone if none; the lowest number if several."""
    matrix = settings.revenue_accounts
    for zones in ((zone,), tuple(VatZone)):
        groups = [g for (g, z), acc in matrix.items() if z in zones and acc == account_number]
        if groups:
            return min(groups, key=lambda g: (len(g), g))
    return None


def rackbeat_unit_for(settings: SettingsSnapshot, dinero_unit: Any) -> str | None:
    """The Rackbeat unit mapped to this Dinero unit (C7, read backwards), if any."""
    units = [unit for unit, mapped in settings.units.items() if mapped == dinero_unit]
    return min(units, key=lambda u: (len(u), u)) if units else None
