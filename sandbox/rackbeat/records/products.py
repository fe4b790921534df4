"""Products: keyed by a string number (dashes allowed), in a product group, with a unit."""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import quote

from sandbox.rackbeat import events
from sandbox.rackbeat.records import find
from sandbox.rackbeat.records.validation import MISSING
from sandbox.rackbeat.records.validation import Fields
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Store

PRODUCT_NUMBER = re.compile(r"^[^/?#\s]+(?: [^/?#\s]+)*$")
_NOT_NULLABLE = ("number", "name", "group", "unit", "sales_price", "recommended_cost_price")


def _read(
    body: dict[str, Any], account: Account, *, current_number: str | None = None
) -> dict[str, Any]:
    creating = current_number is None
    # The create form also accepts ``group_id``/``unit_id`` (reference: ProductForm).
    body = dict(body)
    for alias, name in (("group_id", "group"), ("unit_id", "unit")):
        if alias in body and name not in body:
            body[name] = body.pop(alias)
    fields = Fields(body)
    values: dict[str, Any] = {
        "number": fields.pattern(
            "number",
            PRODUCT_NUMBER,
            "The number may not contain '/', '?', '#' or surrounding spaces.",
            required=creating,
            max_length=191,
        ),
        "name": fields.string("name", required=creating),
        "group": fields.integer("group", required=creating, minimum=1),
        "unit": fields.integer("unit", minimum=1),
        "sales_price": fields.number("sales_price", minimum=0),
        "recommended_cost_price": fields.number("recommended_cost_price", minimum=0),
        "barcode": fields.string("barcode"),
        "physical": fields.boolean("physical"),
        "min_stock": fields.number("min_stock", minimum=0),
    }
    if (
        values["group"] not in (MISSING, None)
        and values["group"] not in (account.records["product_groups"])
    ):
        fields.fail("group", "The selected group is invalid.")
    if values["unit"] not in (MISSING, None) and values["unit"] not in account.records["units"]:
        fields.fail("unit", "The selected unit is invalid.")
    number = values["number"]
    if number not in (MISSING, None, current_number) and number in account.records["products"]:
        fields.fail("number", "The number has already been taken.")
    if not creating:
        for name in _NOT_NULLABLE:
            if values.get(name, MISSING) is None and fields.path(name) not in fields.errors:
                fields.fail(name, f"The {name.replace('_', ' ')} field is required.")
    fields.raise_if_failed()
    return {name: value for name, value in values.items() if value is not MISSING}


def _with_derived(record: dict[str, Any]) -> dict[str, Any]:
    record["urlfriendly_number"] = quote(record["number"], safe="")
    return record


def create_product(
    store: Store, account: Account, body: dict[str, Any], *, suppress: bool = False
) -> dict[str, Any]:
    values = _read(body, account)
    group = account.records["product_groups"][values["group"]]
    now = store.timestamp()
    record: dict[str, Any] = {
        "number": values["number"],
        "name": values["name"],
        "group": values["group"],
        "unit": values.get("unit") or min(account.records["units"]),
        "sales_price": 0.0,
        "recommended_cost_price": 0.0,
        "barcode": None,
        "physical": group["has_inventory"],
        "min_stock": 0.0,
        "stock_quantity": 0.0,
        "in_order_quantity": 0.0,
        "purchased_quantity": 0.0,
        "available_quantity": 0.0,
        "is_draft": False,
        "created_at": now,
        "updated_at": now,
    }
    record.update({name: value for name, value in values.items() if value is not None})
    # Cost price is Rackbeat's own (stock-weighted) figure; a new product starts at the
    # recommended one and the API never writes it.
    record["cost_price"] = record["recommended_cost_price"]
    _with_derived(record)
    account.records["products"][record["number"]] = record
    events.fire(
        store,
        account.id,
        "product.created",
        key=record["number"],
        key_name="number",
        data=copy.deepcopy(record),
        suppress=suppress,
    )
    return copy.deepcopy(record)


def update_product(
    store: Store, account: Account, number: str, body: dict[str, Any], *, suppress: bool = False
) -> dict[str, Any]:
    record = find(account, "products", number)
    values = _read(body, account, current_number=number)
    changed = [name for name, value in values.items() if record.get(name) != value]
    if not changed:
        return copy.deepcopy(record)
    record.update(values)
    record["updated_at"] = store.timestamp()
    _with_derived(record)
    if record["number"] != number:
        del account.records["products"][number]
        account.records["products"][record["number"]] = record
    events.fire(
        store,
        account.id,
        "product.updated",
        key=record["number"],
        key_name="number",
        old_key=number,
        changed=changed,
        data=copy.deepcopy(record),
        suppress=suppress,
    )
    return copy.deepcopy(record)
