"""Pages to look inside the sandbox: records (with Book and edit forms) and webhook deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from sandbox.rackbeat.context import current_account
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.records import RecordNotFound
from sandbox.rackbeat.records import find
from sandbox.rackbeat.records import listing
from sandbox.rackbeat.records import parse_key
from sandbox.rackbeat.records.contacts import VAT_ZONES
from sandbox.rackbeat.records.contacts import create_contact
from sandbox.rackbeat.records.contacts import update_contact
from sandbox.rackbeat.records.invoices import KINDS
from sandbox.rackbeat.records.invoices import book_invoice
from sandbox.rackbeat.records.invoices import create_invoice
from sandbox.rackbeat.records.products import create_product
from sandbox.rackbeat.records.products import update_product
from sandbox.rackbeat.records.validation import ValidationFailed

bp = Blueprint("ui", __name__)


@dataclass(frozen=True)
class Page:
    resource: str
    title: str
    columns: tuple[str, ...]
    editable: tuple[str, ...] = ()

    @property
    def is_invoice(self) -> bool:
        return self.resource in KINDS


_CONTACT_EDITABLE = ("company_name", "contact_email", "vat_zone", "address_country", "currency")
PAGES = {
    "customers": Page(
        "customers",
        "Customers",
        ("number", "company_name", "contact_email", "vat_zone", "address_country", "currency",
         "layout_id"),
        (*_CONTACT_EDITABLE, "layout_id"),
    ),
    "suppliers": Page(
        "suppliers",
        "Suppliers",
        ("number", "company_name", "contact_email", "vat_zone", "address_country", "currency"),
        _CONTACT_EDITABLE,
    ),
    "products": Page(
        "products",
        "Products",
        ("number", "name", "group", "unit", "sales_price", "recommended_cost_price", "cost_price"),
        ("name", "group", "unit", "sales_price", "recommended_cost_price"),
    ),
    "customer-invoices": Page(
        "customer_invoices",
        "Invoices",
        ("number", "customer_id", "currency", "total_subtotal", "total_total", "is_booked",
         "booked_at"),
    ),
    "supplier-invoices": Page(
        "supplier_invoices",
        "Supplier invoices",
        ("number", "supplier_id", "currency", "total_subtotal", "total_total", "is_booked",
         "booked_at"),
    ),
}  # fmt: skip
NUMERIC_FIELDS = frozenset({"number", "group", "unit", "layout_id", "customer_id", "supplier_id"})
PRICE_FIELDS = frozenset({"sales_price", "recommended_cost_price", "quantity"})


def _page(kind: str) -> Page:
    if kind not in PAGES:
        abort(404)
    return PAGES[kind]


@bp.get("/")
def home() -> Any:
    store = get_store()
    account = current_account()
    with store.lock:
        counts = {kind: len(account.records[page.resource]) for kind, page in PAGES.items()}
    return render_template("home.html", pages=PAGES, counts=counts, account=account)


@bp.get("/<any(customers, suppliers, products, 'customer-invoices', 'supplier-invoices'):kind>")
def records(kind: str) -> Any:
    page = _page(kind)
    account = current_account()
    with get_store().lock:
        rows = listing(account, page.resource)
        choices = {
            "customers": listing(account, "customers"),
            "suppliers": listing(account, "suppliers"),
            "products": listing(account, "products"),
        }
    return render_template(
        "records.html", page=page, kind=kind, rows=rows, choices=choices, vat_zones=VAT_ZONES
    )


@bp.get("/<any(customers, suppliers, products):kind>/<path:number>")
def record(kind: str, number: str) -> Any:
    page = _page(kind)
    with get_store().lock:
        try:
            item = dict(find(current_account(), page.resource, parse_key(page.resource, number)))
        except RecordNotFound:
            abort(404)
    return render_template("record.html", page=page, kind=kind, record=item, vat_zones=VAT_ZONES)


def _form_body(kind: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """Form fields as the API would get them: numbers as numbers (product numbers stay text)."""
    body: dict[str, Any] = {}
    for name in fields:
        value = request.form.get(name)
        if value is None or value == "":
            continue
        numeric = name in NUMERIC_FIELDS and not (kind == "products" and name == "number")
        body[name] = int(value) if numeric and value.isdigit() else value
        if name in PRICE_FIELDS:
            body[name] = value.replace(",", ".")
    return body


def _flash_errors(error: ValidationFailed) -> None:
    for field, messages in error.errors.items():
        flash(f"{field}: {' '.join(messages)}")


@bp.post("/<any(customers, suppliers, products):kind>")
def create_record(kind: str) -> Any:
    page = _page(kind)
    store = get_store()
    body = _form_body(kind, ("number", *page.editable))
    try:
        with store.lock:
            if kind == "products":
                created = create_product(store, current_account(), body)
            else:
                created = create_contact(store, current_account(), page.resource, body)
        flash(f"{page.title[:-1]} {created['number']} created.")
    except ValidationFailed as error:
        _flash_errors(error)
    return redirect(url_for("ui.records", kind=kind))


@bp.post("/<any(customers, suppliers, products):kind>/<path:number>")
def update_record(kind: str, number: str) -> Any:
    page = _page(kind)
    store = get_store()
    body = _form_body(kind, page.editable)
    try:
        with store.lock:
            key = parse_key(page.resource, number)
            if kind == "products":
                updated = update_product(store, current_account(), key, body)
            else:
                updated = update_contact(store, current_account(), page.resource, key, body)
        flash(f"{page.title[:-1]} {updated['number']} saved.")
        number = str(updated["number"])
    except ValidationFailed as error:
        _flash_errors(error)
    except RecordNotFound:
        abort(404)
    return redirect(url_for("ui.record", kind=kind, number=number))


@bp.post("/<any('customer-invoices', 'supplier-invoices'):kind>")
def create_invoice_record(kind: str) -> Any:
    page = _page(kind)
    invoice_kind = KINDS[page.resource]
    store = get_store()
    body = {
        invoice_kind.party_field: request.form.get("party", type=int),
        "lines": [
            {
                "child_id": request.form.get("product", ""),
                "quantity": request.form.get("quantity", "1").replace(",", "."),
            }
        ],
    }
    try:
        with store.lock:
            created = create_invoice(store, current_account(), invoice_kind, body)
        flash(f"Draft invoice {created['number']} created.")
    except ValidationFailed as error:
        _flash_errors(error)
    return redirect(url_for("ui.records", kind=kind))


@bp.post("/<any('customer-invoices', 'supplier-invoices'):kind>/<int:number>/book")
def book(kind: str, number: int) -> Any:
    page = _page(kind)
    store = get_store()
    try:
        with store.lock:
            book_invoice(store, current_account(), KINDS[page.resource], number)
        flash(f"Invoice {number} booked.")
    except ValidationFailed as error:
        _flash_errors(error)
    except RecordNotFound:
        abort(404)
    return redirect(url_for("ui.records", kind=kind))


@bp.get("/webhooks")
def webhooks() -> Any:
    store = get_store()
    account = current_account()
    with store.lock:
        hooks = sorted(store.webhooks_for(account.id), key=lambda hook: hook.id)
    deliveries = [entry for entry in store.outbox.logs() if entry["account_id"] == account.id]
    return render_template(
        "webhooks.html",
        hooks=hooks,
        deliveries=list(reversed(deliveries))[:200],
        outbox=store.outbox.counts(),
    )
