"""Booked Rackbeat supplier invoices → Dinero purchase vouchers on credit (P1, P2, P4)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.mapping.choices import Fixes
from rackdinero_app.transfers.mapping.choices import purchase_account_for
from rackdinero_app.transfers.mapping.choices import vat_zone_of
from rackdinero_app.transfers.mapping.documents import document_date
from rackdinero_app.transfers.mapping.lines import document_label
from rackdinero_app.transfers.mapping.lines import invoice_lines
from rackdinero_app.transfers.mapping.lines import line_product
from rackdinero_app.transfers.mapping.lines import line_total
from rackdinero_app.transfers.mapping.values import cents
from rackdinero_app.transfers.mapping.values import iso_date
from rackdinero_app.transfers.mapping.values import money
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message

# Danish VAT on purchases from a Domestic supplier; EU and Abroad invoices carry none.
DOMESTIC_VAT_RATE = Decimal("0.25")


def purchase_voucher_payload(
    supplier_invoice: Mapping[str, Any],
    supplier: Mapping[str, Any],
    settings: SettingsSnapshot,
    *,
    contact_guid: str,
    external_reference: str,
    products: Mapping[str, Mapping[str, Any]],
    group_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Body of ``POST /v1.2/{org}/vouchers/purchase`` (PurchaseVoucherCreateModelV2).

    The model takes no client-chosen guid; Dinero returns one. Each line's ``Amount`` is what
    the supplier charges, VAT included (Dinero: "should include VAT when VAT type is
    purchase"); ``VatCode`` is left null so the chosen account's own VAT code applies.
    """
    document = document_label(supplier_invoice, "supplier invoice")
    zone = vat_zone_of(supplier)
    lines = invoice_lines(supplier_invoice, document)
    fixes = Fixes()
    looked_up = []
    for index, line in enumerate(lines):
        product = line_product(line, index, document, products)
        account = fixes.attempt(
            purchase_account_for, settings, product.get("group"), zone, group_names
        )
        looked_up.append((line, product, account, line_total(line, index, document)))
    fixes.raise_if_any()
    if sum(total for *_, total in looked_up) < 0:
        raise InvalidSourceRecord(Message.of("supplier_credit_note", document=document))
    vat_factor = 1 + (DOMESTIC_VAT_RATE if zone is VatZone.DOMESTIC else Decimal(0))
    voucher_date = document_date(supplier_invoice, document)
    due_date = supplier_invoice.get("due_date")
    currency = text(supplier_invoice.get("currency"))
    return {
        "PurchaseType": "credit",
        "ContactGuid": contact_guid,
        "VoucherDate": voucher_date,
        "PaymentDate": (
            iso_date(due_date, Message.of("due_date_of", document=document))
            if text(due_date)
            else voucher_date
        ),
        "CurrencyKey": currency.upper() if currency else None,
        "ExternalReference": external_reference,
        "Lines": [
            {
                "AccountNumber": account,
                "Description": text(line.get("name")) or text(product.get("name")),
                "Amount": money(cents(total * vat_factor)),
                "VatCode": None,
            }
            for line, product, account, total in looked_up
        ],
    }
