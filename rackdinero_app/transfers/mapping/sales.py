"""Booked Rackbeat customer invoices → Dinero invoices and sales credit notes (C1, C4–C8).

Rackbeat has no separate credit-note record: a credit note is a customer invoice whose lines
add up to less than zero (negative quantities). Dinero wants credit notes as their own voucher
with positive quantities, so the signs are turned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.errors import TotalsMismatch
from rackdinero_app.transfers.mapping.choices import Fixes
from rackdinero_app.transfers.mapping.choices import dinero_unit_for
from rackdinero_app.transfers.mapping.choices import invoice_language_for
from rackdinero_app.transfers.mapping.choices import revenue_account_for
from rackdinero_app.transfers.mapping.choices import vat_zone_of
from rackdinero_app.transfers.mapping.documents import document_date
from rackdinero_app.transfers.mapping.documents import vat_total
from rackdinero_app.transfers.mapping.lines import document_label
from rackdinero_app.transfers.mapping.lines import invoice_lines
from rackdinero_app.transfers.mapping.lines import line_discount
from rackdinero_app.transfers.mapping.lines import line_label
from rackdinero_app.transfers.mapping.lines import line_price
from rackdinero_app.transfers.mapping.lines import line_product
from rackdinero_app.transfers.mapping.lines import line_quantity
from rackdinero_app.transfers.mapping.lines import line_unit
from rackdinero_app.transfers.mapping.lines import lines_total
from rackdinero_app.transfers.mapping.values import cents
from rackdinero_app.transfers.mapping.values import iso_date
from rackdinero_app.transfers.mapping.values import money
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message

# The document's title in Dinero, followed by the Rackbeat number, in the invoice's language.
_TITLES = {
    ("invoice", DineroLanguage.DANISH): "Faktura",
    ("invoice", DineroLanguage.ENGLISH): "Invoice",
    ("credit note", DineroLanguage.DANISH): "Kreditnota",
    ("credit note", DineroLanguage.ENGLISH): "Credit note",
}


@dataclass(frozen=True)
class InvoiceTotals:
    """An invoice's totals; ``line_count`` sizes the rounding tolerance."""

    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal
    line_count: int = 1

    def negated(self) -> InvoiceTotals:
        return InvoiceTotals(-self.excl_vat, -self.vat, -self.incl_vat, self.line_count)


def is_credit_note(invoice: Mapping[str, Any]) -> bool:
    """A Rackbeat customer invoice whose lines add up to less than zero is a credit note."""
    return lines_total(invoice, document_label(invoice)) < 0


def invoice_payload(
    invoice: Mapping[str, Any],
    customer: Mapping[str, Any],
    settings: SettingsSnapshot,
    *,
    contact_guid: str | None,
    guid: str,
    external_reference: str,
    products: Mapping[str, Mapping[str, Any]],
    product_guids: Mapping[str, str] | None = None,
    group_names: Mapping[str, str] | None = None,
    unit_names: Mapping[str, str] | None = None,
    layout_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Body of ``POST /v1/{org}/invoices`` (InvoiceCreateModel) for a booked customer invoice.

    ``products`` maps product number → Rackbeat product (its group picks each line's account);
    ``product_guids`` maps product number → Dinero ProductGuid for products already there.
    """
    document = document_label(invoice)
    if is_credit_note(invoice):
        raise InvalidSourceRecord(Message.of("invoice_is_credit_note", document=document))
    body = _sales_voucher(
        invoice,
        customer,
        settings,
        kind="invoice",
        sign=1,
        products=products,
        product_guids=product_guids,
        names=(group_names, unit_names, layout_names),
    )
    return {"Guid": guid, "ContactGuid": contact_guid, "ExternalReference": external_reference} | (
        body | _payment_condition(invoice, document)
    )


def credit_note_payload(
    credit_note: Mapping[str, Any],
    customer: Mapping[str, Any],
    settings: SettingsSnapshot,
    *,
    contact_guid: str | None,
    credit_note_for: str | None,
    guid: str,
    external_reference: str,
    products: Mapping[str, Mapping[str, Any]],
    product_guids: Mapping[str, str] | None = None,
    group_names: Mapping[str, str] | None = None,
    unit_names: Mapping[str, str] | None = None,
    layout_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Body of ``POST /v1/{org}/sales/creditnotes`` (SalesCreditNoteCreateModel).

    ``credit_note`` is a Rackbeat customer invoice with negative quantities; the Dinero lines get
    positive ones. ``credit_note_for`` is the Dinero guid of the credited invoice, if known.
    """
    document = document_label(credit_note, "credit note")
    if not is_credit_note(credit_note):
        raise InvalidSourceRecord(Message.of("credit_note_not_negative", document=document))
    body = _sales_voucher(
        credit_note,
        customer,
        settings,
        kind="credit note",
        sign=-1,
        products=products,
        product_guids=product_guids,
        names=(group_names, unit_names, layout_names),
    )
    return {
        "Guid": guid,
        "ContactGuid": contact_guid,
        "CreditNoteFor": credit_note_for,
        "ExternalReference": external_reference,
    } | body


def expected_invoice_totals(invoice: Mapping[str, Any]) -> InvoiceTotals:
    """What Dinero should show: the lines' total excl. VAT, and Rackbeat's own VAT (sent or
    derived from its totals, ``documents.vat_total``)."""
    document = document_label(invoice)
    excl = lines_total(invoice, document)
    vat = vat_total(invoice, excl, document)
    return InvoiceTotals(excl, vat, excl + vat, len(invoice_lines(invoice, document)))


def expected_credit_note_totals(credit_note: Mapping[str, Any]) -> InvoiceTotals:
    """As ``expected_invoice_totals``, with Dinero's positive signs."""
    return expected_invoice_totals(credit_note).negated()


def totals_match(
    expected: InvoiceTotals,
    dinero_totals: Mapping[str, Any],
    tolerance: Decimal = Decimal("0.01"),
) -> TotalsMismatch | None:
    """None if Dinero's totals agree with ``expected``, else the error showing both figures.

    ``dinero_totals`` is Dinero's invoice or credit note; keys are read case-insensitively.
    Each line may round by ``tolerance`` (unit prices go to Dinero with two decimals), and the
    VAT once more.
    """
    by_lower = {str(name).lower(): value for name, value in dinero_totals.items()}
    allowed = tolerance * (expected.line_count + 1)
    differences = []
    for total, name, ours in (
        ("total_excl_vat", "TotalExclVat", expected.excl_vat),
        ("total_vat", "TotalVat", expected.vat),
        ("total_incl_vat", "TotalInclVat", expected.incl_vat),
    ):
        if by_lower.get(name.lower()) is None:
            raise ValueError(f"Dinero's voucher has no {name}.")
        theirs = cents(Decimal(str(by_lower[name.lower()])))
        if abs(theirs - ours) > allowed:
            differences.append((Message.of(total), ours, theirs))
    return TotalsMismatch(differences) if differences else None


def _sales_voucher(
    invoice: Mapping[str, Any],
    customer: Mapping[str, Any],
    settings: SettingsSnapshot,
    *,
    kind: str,
    sign: int,
    products: Mapping[str, Mapping[str, Any]],
    product_guids: Mapping[str, str] | None,
    names: tuple[Mapping[str, str] | None, ...],
) -> dict[str, Any]:
    """What invoices and credit notes share: header and lines, with every lookup done first."""
    group_names, unit_names, layout_names = names
    document = document_label(invoice, kind)
    zone = vat_zone_of(customer)
    lines = invoice_lines(invoice, document)
    fixes = Fixes()
    language = fixes.attempt(invoice_language_for, settings, invoice.get("layout_id"), layout_names)
    looked_up = []
    for index, line in enumerate(lines):
        product = line_product(line, index, document, products)
        unit = line_unit(line, product)
        if unit is None:
            raise InvalidSourceRecord(
                Message.of("line_without_unit", document=document, line=line_label(line, index))
            )
        account = fixes.attempt(
            revenue_account_for, settings, product.get("group"), zone, group_names
        )
        dinero_unit = fixes.attempt(dinero_unit_for, settings, unit, unit_names)
        looked_up.append((line, product, account, dinero_unit))
    fixes.raise_if_any()

    product_lines = []
    for index, (line, product, account, dinero_unit) in enumerate(looked_up):
        name = text(line.get("name")) or text(product.get("name"))
        product_guid = (product_guids or {}).get(str(product.get("number")))
        product_lines.append(
            {
                "ProductGuid": product_guid,
                # Dinero: with a ProductGuid the description should be null (the product's name
                # is used); a line renamed in Rackbeat keeps its own text as the line comment.
                "Description": None if product_guid else name,
                "Comments": name if product_guid and name != text(product.get("name")) else None,
                "Quantity": float(sign * line_quantity(line, index, document)),
                "AccountNumber": account,
                "Unit": str(dinero_unit),
                "Discount": float(line_discount(line, index, document)),
                "LineType": "Product",
                "BaseAmountValue": money(line_price(line, index, document)),
            }
        )
    assert language is not None  # fixes.raise_if_any() raised otherwise
    currency = text(invoice.get("currency"))
    return {
        "Currency": currency.upper() if currency else None,
        "Language": str(language),
        "Date": document_date(invoice, document),
        "Description": text(invoice.get("heading"))
        or f"{_TITLES[(kind, language)]} {invoice.get('number')}",
        "Comment": text(invoice.get("note")),
        "ProductLines": product_lines,
    }


def _payment_condition(invoice: Mapping[str, Any], document: Message) -> dict[str, Any]:
    """Net days from the invoice date to Rackbeat's due date, so Dinero shows the same due date."""
    if not text(invoice.get("due_date")):
        return {}
    issued = date.fromisoformat(document_date(invoice, document))
    due = date.fromisoformat(
        iso_date(invoice["due_date"], Message.of("due_date_of", document=document))
    )
    if due < issued:
        return {}
    return {"PaymentConditionType": "Netto", "PaymentConditionNumberOfDays": (due - issued).days}
