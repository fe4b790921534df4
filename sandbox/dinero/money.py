"""Totals as Dinero computes them, with Decimal.

No source documents Dinero's rounding, so: each line total is rounded to øre (half up), VAT is
summed unrounded over the lines and rounded once per voucher.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

VatRateOf = Callable[[int, str | None], tuple[Decimal, str | None]]
"""(account number, explicit VAT code or None) -> (rate, effective VAT code)."""


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def out(value: Decimal) -> float:
    return float(cents(value))


def price_sales_lines(
    lines: list[dict[str, Any]],
    vat_rate_of: VatRateOf,
    account_name_of: Callable[[int], str | None],
    lines_incl_vat: bool,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Read-model lines and voucher totals for invoice / credit note lines.

    ``BaseAmountValue`` is a unit price excl. VAT, or incl. VAT when the voucher has
    ``ShowLinesInclVat``; ``Discount`` is a percentage of the line.
    """
    read_lines: list[dict[str, Any]] = []
    total_excl = vatable = non_vatable = vat = Decimal(0)
    for line in lines:
        is_text = line.get("LineType") == "Text"
        rate, _ = vat_rate_of(line["AccountNumber"], None)
        base = Decimal(0) if is_text else dec(line["BaseAmountValue"])
        if lines_incl_vat:
            base = base / (1 + rate)
        quantity = dec(line["Quantity"])
        discount = dec(line["Discount"])
        line_total = cents(base * quantity * (1 - discount / HUNDRED))
        read_lines.append(
            {
                "ProductGuid": line.get("ProductGuid"),
                "Description": line.get("Description"),
                "Comments": line.get("Comments"),
                "Quantity": float(quantity),
                "AccountNumber": line["AccountNumber"],
                "AccountName": account_name_of(line["AccountNumber"]),
                "Unit": line.get("Unit"),
                "Discount": float(discount),
                "LineType": line.get("LineType") or "Product",
                "BaseAmountValue": out(base),
                "BaseAmountValueInclVat": out(base * (1 + rate)),
                "TotalAmount": out(line_total),
                "TotalAmountInclVat": out(line_total * (1 + rate)),
            }
        )
        total_excl += line_total
        vat += line_total * rate
        if rate:
            vatable += line_total
        else:
            non_vatable += line_total
    vat = cents(vat)
    totals = {
        "TotalExclVat": out(total_excl),
        "TotalVat": out(vat),
        "TotalInclVat": out(total_excl + vat),
        "TotalVatableAmount": out(vatable),
        "TotalNonVatableAmount": out(non_vatable),
        "TotalLines": [
            {
                "Type": "Subtotal",
                "TotalAmount": out(total_excl),
                "Position": 0,
                "Label": "Subtotal",
            },
            {"Type": "Vat", "TotalAmount": out(vat), "Position": 1, "Label": "Moms"},
            {
                "Type": "Total",
                "TotalAmount": out(total_excl + vat),
                "Position": 2,
                "Label": "Total",
            },
        ],
    }
    return read_lines, totals


def price_purchase_lines(
    lines: list[dict[str, Any]], vat_rate_of: VatRateOf
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Read-model lines and ``VoucherTotals``; a purchase line's ``Amount`` includes VAT."""
    read_lines: list[dict[str, Any]] = []
    total_incl = total_vat = Decimal(0)
    for line in lines:
        rate, code = vat_rate_of(line.get("AccountNumber"), line.get("VatCode"))
        amount = dec(line["Amount"])
        line_vat = cents(amount * rate / (1 + rate))
        read_lines.append(
            {
                "Description": line.get("Description"),
                "VatCode": code,
                "AccountNumber": line.get("AccountNumber"),
                "AmountInclVatValue": out(amount),
                "AmountExclVatValue": out(amount - line_vat),
                "VatAmountValue": out(line_vat),
                "AccountTagName": line.get("AccountTagName"),
            }
        )
        total_incl += amount
        total_vat += line_vat
    totals = [
        {
            "Label": "Total ekskl. moms",
            "Total": out(total_incl - total_vat),
            "Type": "TotalExclVat",
            "Position": 0,
        },
        {"Label": "Moms", "Total": out(total_vat), "Type": "Vat", "Position": 1},
        {
            "Label": "Total inkl. moms",
            "Total": out(total_incl),
            "Type": "TotalInclVat",
            "Position": 2,
        },
    ]
    return read_lines, totals


def price_manual_lines(
    lines: list[dict[str, Any]],
    vat_rate_of: VatRateOf,
    is_purchase_code: Callable[[str | None], bool],
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Manual voucher lines: ``Amount`` includes VAT for purchase VAT codes, else excludes it."""
    read_lines: list[dict[str, Any]] = []
    total_excl = total_incl = Decimal(0)
    for line in lines:
        rate, code = vat_rate_of(line.get("AccountNumber"), line.get("AccountVatCode"))
        amount = dec(line["Amount"])
        if is_purchase_code(code):
            incl, excl = amount, cents(amount / (1 + rate))
        else:
            excl, incl = amount, cents(amount * (1 + rate))
        _, balancing_code = vat_rate_of(
            line.get("BalancingAccountNumber"), line.get("BalancingAccountVatCode")
        )
        read_lines.append(
            {
                "Description": line.get("Description"),
                "AccountNumber": line.get("AccountNumber"),
                "BalancingAccountNumber": line.get("BalancingAccountNumber"),
                "AccountVatCode": code,
                "BalancingAccountVatCode": balancing_code,
                "AmountExclVatValue": out(excl),
                "AmountInclVatValue": out(incl),
                "VatAmountValue": out(incl - excl),
                "CurrencyKey": "DKK",
                "AmountInForeignCurrency": None,
            }
        )
        total_excl += excl
        total_incl += incl
    return read_lines, {"TotalExclVat": out(total_excl), "TotalInclVat": out(total_incl)}
