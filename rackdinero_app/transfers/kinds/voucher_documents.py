"""The PDF a purchase voucher carries when Rackbeat has none for the supplier invoice: made
from the invoice's own data (supplier, number, dates, lines, totals) with fpdf2.

It is written in Danish: it is filed in Dinero, whose books and accountants are Danish.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF

DOCUMENT_LOCALE = "da"
# Column widths in millimetres: product, quantity, price, amount (an A4 page holds 190).
COLUMNS = (100, 25, 30, 35)


def _latin1(value: Any) -> str:
    # The PDF core fonts are Latin-1 (Danish letters included); anything else becomes "?".
    return str("" if value is None else value).encode("latin-1", "replace").decode("latin-1")


def _amount(value: Any) -> str:
    try:
        return f"{float(value):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    except (TypeError, ValueError):
        return _latin1(value)


def _row(pdf: FPDF, cells: tuple[Any, ...], *, bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    for index, (width, value) in enumerate(zip(COLUMNS, cells, strict=True)):
        pdf.cell(width, 7, _latin1(value), border="B", align="L" if index == 0 else "R")
    pdf.ln()


def supplier_invoice_pdf(invoice: Mapping[str, Any], supplier: Mapping[str, Any]) -> bytes:
    """A one-page PDF of a Rackbeat supplier invoice."""
    currency = invoice.get("currency") or ""
    with force_locale(DOCUMENT_LOCALE):
        pdf = FPDF(format="A4")
        pdf.set_title(_latin1(_("Supplier invoice %(number)s", number=invoice.get("number"))))
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, pdf.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        name = supplier.get("company_name") or supplier.get("name") or ""
        for label, value in (
            (_("Supplier"), f"{name} ({supplier.get('number', '')})"),
            (_("Invoice date"), invoice.get("invoice_date")),
            (_("Due date"), invoice.get("due_date")),
        ):
            pdf.cell(0, 6, _latin1(f"{label}: {value or ''}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        _row(pdf, (_("Product"), _("Quantity"), _("Price"), _("Amount")), bold=True)
        for line in invoice.get("lines") or []:
            label = " ".join(str(p) for p in (line.get("child_id"), line.get("name")) if p)
            quantity = line.get("quantity")
            _row(
                pdf,
                (label, quantity, _amount(line.get("line_price")), _amount(line.get("line_total"))),
            )
        pdf.ln(2)
        for label, key in ((_("Subtotal"), "total_subtotal"), (_("Total VAT"), "total_vat")):
            _row(pdf, ("", "", label, _amount(invoice.get(key))))
        _row(
            pdf,
            ("", "", _("Total"), f"{_amount(invoice.get('total_total'))} {currency}"),
            bold=True,
        )
        pdf.ln(6)
        pdf.set_font("Helvetica", "I", 8)
        note = _(
            "Rackbeat had no PDF of this supplier invoice, so the Dinero app made this one from "
            "the invoice's data."
        )
        pdf.multi_cell(0, 5, _latin1(note))
        return bytes(pdf.output())
