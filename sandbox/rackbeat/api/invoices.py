"""Customer and supplier invoices: list, show, create (draft or booked), book."""

from __future__ import annotations

from typing import Any

from flask import request

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
from sandbox.rackbeat.records.invoices import InvoiceKind
from sandbox.rackbeat.records.invoices import book_invoice
from sandbox.rackbeat.records.invoices import create_invoice
from sandbox.rackbeat.records.validation import Fields
from sandbox.rackbeat.records.validation import parse_bool


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

    bp.add_url_rule(path, f"{kind.resource}_index", index, methods=["GET"])
    bp.add_url_rule(path, f"{kind.resource}_create", create, methods=["POST"])
    bp.add_url_rule(f"{path}/drafts", f"{kind.resource}_draft", create_draft, methods=["POST"])
    bp.add_url_rule(f"{path}/<number>", f"{kind.resource}_show", show, methods=["GET"])
    bp.add_url_rule(f"{path}/<number>/book", f"{kind.resource}_book", book, methods=["POST"])


for _kind in KINDS.values():
    _register(_kind)
