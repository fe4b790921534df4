"""Automatic booking of goods consumption (C3): the cost of the goods on a booked sales invoice
moves from the inventory account to the goods-consumption account, as a manual voucher.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.errors import NothingToTransfer
from rackdinero_app.transfers.mapping.choices import Fixes
from rackdinero_app.transfers.mapping.documents import document_date
from rackdinero_app.transfers.mapping.lines import document_label
from rackdinero_app.transfers.mapping.lines import invoice_lines
from rackdinero_app.transfers.mapping.lines import line_label
from rackdinero_app.transfers.mapping.lines import line_product
from rackdinero_app.transfers.mapping.lines import line_quantity
from rackdinero_app.transfers.mapping.values import cents
from rackdinero_app.transfers.mapping.values import dec
from rackdinero_app.transfers.mapping.values import iso_date
from rackdinero_app.transfers.mapping.values import money
from rackdinero_app.transfers.messages import Message

NO_VAT = "none"  # Dinero's code to suppress an account's VAT: stock moves carry no VAT


def goods_consumption_cost(
    invoice: Mapping[str, Any], products: Mapping[str, Mapping[str, Any]]
) -> Decimal:
    """Σ cost price × quantity over the invoice's stock goods, in DKK, rounded to øre.

    Products without inventory (services, freight) are never in stock and are left out. The
    cost price is the line's own, else the product's cost price, else its recommended one.
    """
    document = document_label(invoice)
    total = Decimal(0)
    for index, line in enumerate(invoice_lines(invoice, document)):
        product = line_product(line, index, document, products)
        if not is_stock_goods(product):
            continue
        cost = next(
            (
                value
                for value in (
                    line.get("cost_price"),
                    product.get("cost_price"),
                    product.get("recommended_cost_price"),
                )
                if value is not None
            ),
            None,
        )
        what = Message.of("cost_price_on_line", line=line_label(line, index), document=document)
        if cost is None:
            raise InvalidSourceRecord(Message.of("cost_price_missing", what=what))
        total += dec(cost, what) * line_quantity(line, index, document)
    return cents(total)


def is_stock_goods(product: Mapping[str, Any]) -> bool:
    """Whether a product is kept in stock. Rackbeat's 2018 model says so in ``physical``
    (true or false); its current SDK reads ``physical`` as the item's size and weight and the
    product's ``group`` as a record whose ``has_inventory`` says it. Without either, it is."""
    physical = product.get("physical")
    if isinstance(physical, bool):
        return physical
    group = product.get("group")
    if isinstance(group, Mapping) and isinstance(group.get("has_inventory"), bool):
        return group["has_inventory"]
    return True


def goods_consumption_payload(
    invoice: Mapping[str, Any],
    products: Mapping[str, Mapping[str, Any]],
    settings: SettingsSnapshot,
    *,
    external_reference: str,
    voucher_date: date | str | None = None,
) -> dict[str, Any]:
    """Body of ``POST /v1/{org}/vouchers/manuel`` (ManuelVoucherCreateModel): one summed line.

    Debit the goods-consumption account, credit the inventory account; a credit note (negative
    cost) turns the two around, as the goods come back into stock. The voucher date defaults
    to the invoice date. Raises ``NothingToTransfer`` when the setting is off or the cost is 0.
    """
    if not settings.goods_consumption_enabled:
        raise NothingToTransfer(Message.of("goods_consumption_setting_off"))
    cost = goods_consumption_cost(invoice, products)
    credit_note = cost < 0
    document = document_label(invoice, "credit note" if credit_note else "invoice")
    if cost == 0:
        raise NothingToTransfer(Message.of("no_goods_consumption", document=document))
    fixes = Fixes()
    if settings.goods_consumption_account is None:
        fixes.add(Message.of("choose_goods_consumption_account"))
    if settings.inventory_account is None:
        fixes.add(Message.of("choose_inventory_account"))
    fixes.raise_if_any()
    debit, credit = settings.goods_consumption_account, settings.inventory_account
    if credit_note:
        debit, credit = credit, debit
    if isinstance(voucher_date, date):
        day = voucher_date.isoformat()
    elif voucher_date:
        day = iso_date(voucher_date, Message.of("date_of", document=document))
    else:
        day = document_date(invoice, document)
    return {
        "VoucherDate": day,
        "ExternalReference": external_reference,
        "Lines": [
            {
                "Description": f"Vareforbrug, {document}",
                "AccountNumber": debit,
                "BalancingAccountNumber": credit,
                "Amount": money(abs(cost)),
                "AccountVatCode": NO_VAT,
                "BalancingAccountVatCode": NO_VAT,
            }
        ],
    }
