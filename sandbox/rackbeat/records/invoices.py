"""Customer and supplier invoices: create (draft or booked) and book."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from sandbox.rackbeat import events
from sandbox.rackbeat.records import find
from sandbox.rackbeat.records import next_number
from sandbox.rackbeat.records.validation import MISSING
from sandbox.rackbeat.records.validation import Fields
from sandbox.rackbeat.records.validation import ValidationFailed
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Store

# Value of one unit of the currency in DKK (the sandbox's base currency).
CURRENCY_RATES = {"DKK": 1.0, "EUR": 7.46, "SEK": 0.64, "NOK": 0.63, "USD": 6.85, "GBP": 8.62}
DOMESTIC_VAT_RATE = 0.25


@dataclass(frozen=True)
class InvoiceKind:
    resource: str
    singular: str
    party_resource: str
    party: str
    first_number: int

    @property
    def party_field(self) -> str:
        return f"{self.party}_id"

    @property
    def booked_event(self) -> str:
        return f"{self.singular}.booked"


CUSTOMER_INVOICES = InvoiceKind(
    "customer_invoices", "customer_invoice", "customers", "customer", 1001
)
SUPPLIER_INVOICES = InvoiceKind(
    "supplier_invoices", "supplier_invoice", "suppliers", "supplier", 5001
)
KINDS = {kind.resource: kind for kind in (CUSTOMER_INVOICES, SUPPLIER_INVOICES)}


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def _cost_price(product: dict[str, Any]) -> float:
    """The product's stock-weighted cost price; its recommended one for a product shaped as
    the public model shows it (``public_model.reshape_product``), which has no other."""
    return product.get("cost_price", product["recommended_cost_price"])


def _read_lines(fields: Fields, account: Account, kind: InvoiceKind) -> list[dict[str, Any]]:
    raw = fields.body.get("lines", MISSING)
    if raw is MISSING or raw is None or raw == []:
        fields.fail("lines", "The lines field is required.")
        return []
    if not isinstance(raw, list):
        fields.fail("lines", "The lines must be an array.")
        return []
    lines = []
    for index, item in enumerate(raw):
        line = dict(item) if isinstance(item, dict) else {}
        if isinstance(line.get("child_id"), int) and not isinstance(line["child_id"], bool):
            line["child_id"] = str(line["child_id"])  # product numbers are strings
        line_fields = Fields(line, prefix=f"lines.{index}.")
        child_id = line_fields.string("child_id", required=True)
        product = account.records["products"].get(child_id) if child_id else None
        if child_id and product is None:
            label = line_fields.label("child_id")
            line_fields.fail("child_id", f"The selected {label} is invalid.")
        quantity = line_fields.number("quantity", required=True)
        if quantity == 0:
            line_fields.fail("quantity", f"The {line_fields.label('quantity')} may not be 0.")
        price = line_fields.number("line_price")
        discount = line_fields.number("discount_percentage", minimum=0, maximum=100)
        name = line_fields.string("name")
        unit_id = line_fields.integer("unit_id", minimum=1)
        if unit_id not in (MISSING, None) and unit_id not in account.records["units"]:
            line_fields.fail("unit_id", f"The selected {line_fields.label('unit_id')} is invalid.")
        for path, messages in line_fields.errors.items():
            fields.errors.setdefault(path, []).extend(messages)
        if line_fields.errors or product is None:
            continue
        lines.append(
            {
                "child_id": product["number"],
                "child_type": "product",
                "name": name if isinstance(name, str) else product["name"],
                "quantity": quantity,
                "line_price": None if price in (MISSING, None) else price,
                "discount_percentage": 0.0 if discount in (MISSING, None) else discount,
                "unit_id": product["unit"] if unit_id in (MISSING, None) else unit_id,
                "cost_price": _cost_price(product),
            }
        )
    return lines


def create_invoice(
    store: Store,
    account: Account,
    kind: InvoiceKind,
    body: dict[str, Any],
    *,
    book: bool = False,
    suppress: bool = False,
) -> dict[str, Any]:
    """Create an invoice; ``book=True`` books it at once (firing the booked event)."""
    fields = Fields(body)
    party_number = fields.integer(kind.party_field, required=True, minimum=1)
    party = account.records[kind.party_resource].get(party_number) if party_number else None
    if party_number and party is None:
        fields.fail(kind.party_field, f"The selected {kind.party} id is invalid.")
    currency = fields.currency("currency")
    if isinstance(currency, str) and currency not in CURRENCY_RATES:
        fields.fail("currency", "The selected currency is invalid.")
    layout_id = credited = MISSING
    if kind is CUSTOMER_INVOICES:
        layout_id = fields.integer("layout_id", minimum=1)
        if layout_id not in (MISSING, None) and layout_id not in account.records["layouts"]:
            fields.fail("layout_id", "The selected layout id is invalid.")
        # A credit note is an invoice with negative lines that names the invoice it credits.
        credited = fields.integer("credited_invoice_id", minimum=1)
        credited_record = account.records[kind.resource].get(credited)
        if credited not in (MISSING, None) and not (
            credited_record and credited_record["is_booked"]
        ):
            fields.fail("credited_invoice_id", "The credited invoice must be a booked invoice.")
    heading = fields.string("heading")
    note = fields.string("note", max_length=5000)
    invoice_date = fields.string("invoice_date")
    if isinstance(invoice_date, str):
        try:
            date.fromisoformat(invoice_date)
        except ValueError:
            fields.fail("invoice_date", "The invoice date is not a valid date (YYYY-MM-DD).")
    lines = _read_lines(fields, account, kind)
    fields.raise_if_failed()
    assert party is not None

    currency = currency if isinstance(currency, str) else party["currency"]
    for line in lines:
        if line["line_price"] is None:
            # Product prices are in DKK; the line is priced in the invoice's currency.
            product = account.records["products"][line["child_id"]]
            base = product["sales_price"] if kind is CUSTOMER_INVOICES else _cost_price(product)
            line["line_price"] = _money(base / CURRENCY_RATES[currency])
    today = datetime.fromtimestamp(store.now(), UTC).date()
    issued = date.fromisoformat(invoice_date) if isinstance(invoice_date, str) else today
    record: dict[str, Any] = {
        "number": next_number(account, kind.resource, kind.first_number),
        kind.party_field: party["number"],
        kind.party: {"number": party["number"], "company_name": party["company_name"]},
        "currency": currency,
        "currency_rate": CURRENCY_RATES[currency],
        "heading": heading if isinstance(heading, str) else None,
        "note": note if isinstance(note, str) else None,
        "invoice_date": issued.isoformat(),
        "due_date": (issued + timedelta(days=8)).isoformat(),
        "is_booked": False,
        "booked_at": None,
        "is_paid": False,
        "is_party_paid": False,
        "is_overpaid": False,
        "address_street": party["address_street"],
        "address_city": party["address_city"],
        "address_zipcode": party["address_zipcode"],
        "address_country": party["address_country"],
        "created_at": store.timestamp(),
        "updated_at": store.timestamp(),
    }
    if kind is CUSTOMER_INVOICES:
        record["layout_id"] = party["layout_id"] if layout_id in (MISSING, None) else layout_id
        record["credited_invoice_id"] = None if credited is MISSING else credited
    record["lines"] = []
    for line in lines:
        line_total = line["quantity"] * line["line_price"] * (1 - line["discount_percentage"] / 100)
        record["lines"].append(
            {"id": account.next_line_id, **line, "line_total": _money(line_total)}
        )
        account.next_line_id += 1
    subtotal = _money(sum(line["line_total"] for line in record["lines"]))
    vat = _money(subtotal * DOMESTIC_VAT_RATE) if party["vat_zone"] == "domestic" else 0.0
    record.update(
        total_subtotal=subtotal,
        total_vat=vat,
        total_total=_money(subtotal + vat),
        total_base_currency=_money((subtotal + vat) * record["currency_rate"]),
        balance=_money(subtotal + vat),
    )
    account.records[kind.resource][record["number"]] = record
    if book:
        return book_invoice(store, account, kind, record["number"], suppress=suppress)
    return copy.deepcopy(record)


def book_invoice(
    store: Store, account: Account, kind: InvoiceKind, number: int, *, suppress: bool = False
) -> dict[str, Any]:
    """Book a draft invoice and fire ``<kind>.booked``; booking twice is a 422."""
    record = find(account, kind.resource, number)
    if record["is_booked"]:
        raise ValidationFailed({"is_booked": ["The invoice is already booked."]})
    record["is_booked"] = True
    record["booked_at"] = record["updated_at"] = store.timestamp()
    events.fire(
        store,
        account.id,
        kind.booked_event,
        key=number,
        key_name="number",
        data=copy.deepcopy(record),
        suppress=suppress,
    )
    return copy.deepcopy(record)
