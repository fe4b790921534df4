"""Products. GET of an unknown or deleted product answers an HTML 404, as Dinero does."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.dinero import listing
from sandbox.dinero import state
from sandbox.dinero.money import cents
from sandbox.dinero.money import dec
from sandbox.dinero.money import out
from sandbox.dinero.rules import check_account
from sandbox.dinero.rules import check_unit
from sandbox.dinero.state import Organization
from sandbox.dinero.views.common import body
from sandbox.dinero.views.common import empty_ok
from sandbox.dinero.views.common import find
from sandbox.dinero.views.common import organization
from sandbox.dinero.views.common import respond

bp = Blueprint("dinero_products", __name__)

FILTERABLE = ("Name", "ProductNumber", "ExternalReference")
_WRITABLE = (
    "ProductNumber",
    "Name",
    "Quantity",
    "AccountNumber",
    "Unit",
    "ExternalReference",
    "Comment",
)


def _check(org: Organization, data: dict[str, Any]) -> None:
    check_unit("Unit", data["Unit"])
    check_account(org, "AccountNumber", data["AccountNumber"])


def _apply(org: Organization, product: dict[str, Any], data: dict[str, Any]) -> None:
    for name in _WRITABLE:
        product[name] = data.get(name)
    rate, _ = org.vat_rate_of(data["AccountNumber"], None)
    base = dec(data["BaseAmountValue"])
    total = cents(base * dec(data["Quantity"]))
    product["BaseAmountValue"] = out(base)
    product["BaseAmountValueInclVat"] = out(base * (1 + rate))
    product["TotalAmount"] = out(total)
    product["TotalAmountInclVat"] = out(total * (1 + rate))


def create_product(
    org: Organization, data: dict[str, Any], guid: str | None = None
) -> dict[str, Any]:
    """Store a new product from a validated ``ProductCreateModel`` (``guid``: for the seed)."""
    moment = state.iso(state.now())
    guid = guid or state.new_guid()
    product: dict[str, Any] = {
        "ProductGuid": guid,
        "CreatedAt": moment,
        "UpdatedAt": moment,
        "DeletedAt": None,
    }
    _apply(org, product, data)
    org.products[guid] = product
    return product


@bp.get("/v1/<organizationId>/products")
def list_products(organizationId: str):
    every = sorted(
        organization().products.values(), key=lambda p: (p["UpdatedAt"], p["ProductGuid"])
    )
    deleted_only = listing.bool_arg("deletedOnly")
    records = [p for p in every if bool(p["DeletedAt"]) == deleted_only]
    records = listing.query_filtered(listing.changed_since(records), FILTERABLE)
    search = request.args.get("freeTextSearch", "").strip().lower()
    if search:
        records = [
            p
            for p in records
            if search in (p["Name"] or "").lower() or search in (p["ProductNumber"] or "").lower()
        ]
    item, default_fields = listing.operation_items("GET", "/v1/{organizationId}/products")
    live = sum(1 for p in every if not p["DeletedAt"])
    return jsonify(listing.envelope(records, live, item, default_fields))


@bp.post("/v1/<organizationId>/products")
def create(organizationId: str):
    data = body()
    org = organization()
    _check(org, data)
    return respond(create_product(org, data))


@bp.get("/v1/<organizationId>/products/<guid>")
def get(organizationId: str, guid: str):
    return respond(find(organization().products, guid, "Product", html=True))


@bp.put("/v1/<organizationId>/products/<guid>")
def update(organizationId: str, guid: str):
    org = organization()
    product = find(org.products, guid, "Product")
    data = body()
    _check(org, data)
    _apply(org, product, data)
    product["UpdatedAt"] = state.iso(state.now())
    return empty_ok()


@bp.delete("/v1/<organizationId>/products/<guid>")
def delete(organizationId: str, guid: str):
    product = find(organization().products, guid, "Product")
    product["DeletedAt"] = product["UpdatedAt"] = state.iso(state.now())
    return empty_ok()
