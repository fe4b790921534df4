"""Customers and suppliers ("contacts"): the same shape, except customers carry a layout."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.rackbeat import events
from sandbox.rackbeat.records import SINGULAR
from sandbox.rackbeat.records import find
from sandbox.rackbeat.records import next_number
from sandbox.rackbeat.records.validation import MISSING
from sandbox.rackbeat.records.validation import Fields
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Store

VAT_ZONES = ("domestic", "eu", "abroad")
CONTACT_RESOURCES = ("customers", "suppliers")

_TEXT_FIELDS = (
    "company_vat",
    "address_street",
    "address_street2",
    "address_city",
    "address_zipcode",
    "contact_phone",
    "locale",
    "ean",
    "our_reference",
    "attention",
)


# Fields an update may change but never clear.
_NOT_NULLABLE = (
    "number",
    "company_name",
    "currency",
    "vat_zone",
    "payment_terms_id",
    "layout_id",
    "is_barred",
)


def _read(
    fields: Fields,
    account: Account,
    resource: str,
    *,
    current_number: int | None = None,
    terms_required: bool = False,
) -> dict[str, Any]:
    """Validated values that were sent; absent fields are left out (updates are partial)."""
    creating = current_number is None
    values: dict[str, Any] = {
        "number": fields.integer("number", minimum=1),
        "company_name": fields.string("company_name", required=creating),
        "contact_email": fields.email("contact_email"),
        # Free text: the models show a plain string, and accounts hold names ("Norge") as
        # well as codes ("NO").
        "address_country": fields.string("address_country"),
        "currency": fields.currency("currency"),
        "vat_zone": fields.choice("vat_zone", VAT_ZONES),
        "payment_terms_id": fields.integer(
            "payment_terms_id", required=creating and terms_required, minimum=1
        ),
        "is_barred": fields.boolean("is_barred"),
    }
    for name in _TEXT_FIELDS:
        values[name] = fields.string(name)
    if resource == "customers":
        values["layout_id"] = fields.integer("layout_id", minimum=1)
        if values["layout_id"] not in (MISSING, None) and (
            values["layout_id"] not in account.records["layouts"]
        ):
            fields.fail("layout_id", "The selected layout id is invalid.")
    terms = values["payment_terms_id"]
    if terms not in (MISSING, None) and terms not in account.records["payment_terms"]:
        fields.fail("payment_terms_id", "The selected payment terms id is invalid.")
    number = values["number"]
    if number not in (MISSING, None, current_number) and number in account.records[resource]:
        fields.fail("number", "The number has already been taken.")
    if not creating:
        for name in _NOT_NULLABLE:
            if values.get(name, MISSING) is None and fields.path(name) not in fields.errors:
                fields.fail(name, f"The {name.replace('_', ' ')} field is required.")
    fields.raise_if_failed()
    return {name: value for name, value in values.items() if value is not MISSING}


def create_contact(
    store: Store,
    account: Account,
    resource: str,
    body: dict[str, Any],
    *,
    suppress: bool = False,
    terms_required: bool = False,
) -> dict[str, Any]:
    """Create a customer or supplier. Through the API (``terms_required``) payment terms are
    required, as CustomerForm says (suppliers: "as customers"); the sandbox's own seeding may
    leave them to the account's first terms."""
    values = _read(Fields(body), account, resource, terms_required=terms_required)
    now = store.timestamp()
    number = values.get("number") or next_number(account, resource)
    record: dict[str, Any] = {
        "number": number,
        "company_name": values["company_name"],
        "company_vat": None,
        "address_street": None,
        "address_street2": None,
        "address_city": None,
        "address_zipcode": None,
        "address_country": account.address_country,
        "contact_email": None,
        "contact_phone": None,
        "locale": None,
        "ean": None,
        "our_reference": None,
        "attention": None,
        "currency": account.currency,
        "vat_zone": "domestic",
        "payment_terms_id": 1,
        "is_barred": False,
        "is_deleted": False,
        "created_at": now,
        "updated_at": now,
    }
    if resource == "customers":
        record["layout_id"] = 1
    record.update({name: value for name, value in values.items() if value is not None})
    account.records[resource][number] = record
    event = f"{SINGULAR[resource]}.created"
    events.fire(
        store,
        account.id,
        event,
        key=number,
        key_name="number",
        data=copy.deepcopy(record),
        suppress=suppress,
    )
    return copy.deepcopy(record)


def update_contact(
    store: Store,
    account: Account,
    resource: str,
    number: int,
    body: dict[str, Any],
    *,
    suppress: bool = False,
) -> dict[str, Any]:
    record = find(account, resource, number)
    values = _read(Fields(body), account, resource, current_number=number)
    changed = [name for name, value in values.items() if record.get(name) != value]
    if not changed:
        return copy.deepcopy(record)
    record.update(values)
    record["updated_at"] = store.timestamp()
    new_number = record["number"]
    if new_number != number:
        del account.records[resource][number]
        account.records[resource][new_number] = record
    events.fire(
        store,
        account.id,
        f"{SINGULAR[resource]}.updated",
        key=new_number,
        key_name="number",
        old_key=number,
        changed=changed,
        data=copy.deepcopy(record),
        suppress=suppress,
    )
    return copy.deepcopy(record)
