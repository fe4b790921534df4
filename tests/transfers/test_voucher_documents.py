"""The supplier-invoice PDF the app makes when Rackbeat has none: Danish, and a real PDF."""

from __future__ import annotations

import zlib

import pytest

from rackdinero_app.transfers.kinds.voucher_documents import supplier_invoice_pdf

pytestmark = pytest.mark.redis

INVOICE = {
    "number": 5009,
    "invoice_date": "2026-11-02",
    "due_date": "2026-11-10",
    "currency": "DKK",
    "lines": [
        {"child_id": "300", "name": "Egetræ, planker", "quantity": 10, "line_price": 42.5,
         "line_total": 425.0},
    ],
    "total_subtotal": 425.0,
    "total_vat": 106.25,
    "total_total": 531.25,
}  # fmt: skip
SUPPLIER = {"number": 1, "company_name": "Træ & Søn A/S"}


def page_text(pdf: bytes) -> bytes:
    """The page's text operators, inflated (fpdf2 compresses page content)."""
    start = pdf.index(b"stream\n", pdf.index(b"/FlateDecode")) + len(b"stream\n")
    return zlib.decompress(pdf[start : pdf.index(b"endstream", start)])


def test_the_made_document_is_a_danish_pdf_with_the_invoices_data(app):
    pdf = supplier_invoice_pdf(INVOICE, SUPPLIER)

    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    text = page_text(pdf).decode("latin-1")
    for expected in (
        "Leverandørfaktura 5009",
        "Leverandør: Træ & Søn A/S",
        "Fakturadato: 2026-11-02",
        "Forfaldsdato: 2026-11-10",
        "300 Egetræ, planker",
        "425,00",
        "Moms",
        "531,25 DKK",
    ):
        assert expected in text, expected


def test_a_record_missing_fields_still_gives_a_document(app):
    pdf = supplier_invoice_pdf({"number": 5010, "lines": [{"child_id": "301"}]}, {})
    assert "Leverandørfaktura 5010" in page_text(pdf).decode("latin-1")
