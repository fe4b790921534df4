"""Customer and supplier invoices: list, show, create (draft or booked), book; a supplier
invoice's PDF.

A supplier invoice's PDF (``GET supplier-invoices/{number}.pdf``) is the supplier's document:
the seeded invoices (and those booked from the sandbox's pages) have one, an invoice created
through ``POST /api/supplier-invoices`` has none and answers 404, so a client sees both.
"""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import Any

from flask import Response
from flask import jsonify
from flask import request
from fpdf import FPDF

from sandbox.rackbeat.api import bp
from sandbox.rackbeat.api.common import account
from sandbox.rackbeat.api.common import filtered
from sandbox.rackbeat.api.common import json_body
from sandbox.rackbeat.api.common import paginated
from sandbox.rackbeat.api.common import scoped
from sandbox.rackbeat.api.common import single
from sandbox.rackbeat.api.common import suppress_requested
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.records import find
from sandbox.rackbeat.records import listing
from sandbox.rackbeat.records import parse_key
from sandbox.rackbeat.records.invoices import KINDS
from sandbox.rackbeat.records.invoices import SUPPLIER_INVOICES
from sandbox.rackbeat.records.invoices import InvoiceKind
from sandbox.rackbeat.records.invoices import book_invoice
from sandbox.rackbeat.records.invoices import create_invoice
from sandbox.rackbeat.records.validation import Fields
from sandbox.rackbeat.records.validation import parse_bool

# Per store: (account id, number, created_at) of the invoices created through the API, which
# have no document (the records themselves stay as Rackbeat shows them).
_WITHOUT_DOCUMENT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _identity(account_id: int, record: dict[str, Any]) -> tuple:
    return (account_id, record["number"], record.get("created_at"))


def _pdf(record: dict[str, Any]) -> bytes:
    """A one-page PDF of the supplier invoice, as a supplier would have sent it (records shaped
    like Rackbeat's public models lack some fields, so every field is optional)."""
    pdf = FPDF()
    # Dated by the invoice, so the same invoice is always the same document.
    if record.get("created_at"):
        pdf.set_creation_date(datetime.fromisoformat(record["created_at"]))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)

    def line(text: str) -> None:
        text = text.encode("latin-1", "replace").decode("latin-1")
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")

    def amount(value: Any) -> str:
        return "" if value is None else f"{float(value):.2f}"

    supplier = record.get("supplier") or {}
    line(f"{supplier.get('company_name') or 'Supplier'} - invoice {record['number']}")
    line(f"Date {record.get('invoice_date') or ''}, due {record.get('due_date') or ''}")
    for item in record.get("lines") or []:
        price, total = amount(item.get("line_price")), amount(item.get("line_total"))
        line(f"{item.get('quantity')} x {item.get('name') or ''} @ {price} = {total}")
    total = amount(record.get("total_total"))
    line(f"Total {total} {record.get('currency') or ''} (VAT {amount(record.get('total_vat'))})")
    return bytes(pdf.output())


def _register(kind: InvoiceKind) -> None:
    path = "/" + kind.resource.replace("_", "-")

    @scoped("invoices")
    def index() -> Any:
        with get_store().lock:
            records = filtered(listing(account(), kind.resource))
        is_booked = request.args.get("is_booked")
        if is_booked is not None:
            wanted = parse_bool(is_booked)
            records = [record for record in records if record["is_booked"] == wanted]
        party_number = request.args.get(f"{kind.party}_number")
        if party_number is not None:
            records = [r for r in records if str(r[kind.party_field]) == party_number]
        return paginated(kind.resource, records)

    @scoped("invoices")
    def show(number: str) -> Any:
        with get_store().lock:
            record = find(account(), kind.resource, parse_key(kind.resource, number))
            return single(kind.singular, dict(record))

    def _create(book: bool) -> Any:
        body = json_body()
        store = get_store()
        suppress = suppress_requested(body)
        with store.lock:
            record = create_invoice(store, account(), kind, body, book=book, suppress=suppress)
            _WITHOUT_DOCUMENT.setdefault(store, set()).add(_identity(account().id, record))
        return single(kind.singular, record, 201)

    @scoped("invoices")
    def create() -> Any:
        """An invoice; ``book=true`` (query or body) books it in the same call."""
        body = json_body()
        raw = request.args.get("book", body.get("book"))
        fields = Fields({"book": raw})
        book = fields.boolean("book")
        fields.raise_if_failed()
        return _create(book is True)

    @scoped("invoices")
    def create_draft() -> Any:
        return _create(False)

    @scoped("invoices")
    def book(number: str) -> Any:
        body = json_body()
        store = get_store()
        with store.lock:
            record = book_invoice(
                store,
                account(),
                kind,
                parse_key(kind.resource, number),
                suppress=suppress_requested(body),
            )
        return single(kind.singular, record)

    @scoped("invoices")
    def document(number: str) -> Any:
        store = get_store()
        with store.lock:
            record = find(account(), kind.resource, parse_key(kind.resource, number))
            if _identity(account().id, record) in _WITHOUT_DOCUMENT.get(store, set()):
                return jsonify(message="The invoice has no document."), 404
            content = _pdf(record)
        return Response(content, mimetype="application/pdf")

    if kind is SUPPLIER_INVOICES:
        bp.add_url_rule(f"{path}/<number>.pdf", f"{kind.resource}_pdf", document, methods=["GET"])
    bp.add_url_rule(path, f"{kind.resource}_index", index, methods=["GET"])
    bp.add_url_rule(path, f"{kind.resource}_create", create, methods=["POST"])
    bp.add_url_rule(f"{path}/drafts", f"{kind.resource}_draft", create_draft, methods=["POST"])
    bp.add_url_rule(f"{path}/<number>", f"{kind.resource}_show", show, methods=["GET"])
    bp.add_url_rule(f"{path}/<number>/book", f"{kind.resource}_book", book, methods=["POST"])


for _kind in KINDS.values():
    _register(_kind)
