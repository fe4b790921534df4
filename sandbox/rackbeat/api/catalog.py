"""Products and the read-only lookups around them: product groups, units, layouts, payment terms."""

from __future__ import annotations

from typing import Any

from sandbox.rackbeat.api import bp
from sandbox.rackbeat.api.common import account
from sandbox.rackbeat.api.common import json_body
from sandbox.rackbeat.api.common import matching
from sandbox.rackbeat.api.common import paginated
from sandbox.rackbeat.api.common import scoped
from sandbox.rackbeat.api.common import single
from sandbox.rackbeat.api.common import suppress_requested
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.records import SINGULAR
from sandbox.rackbeat.records import find
from sandbox.rackbeat.records import parse_key
from sandbox.rackbeat.records.products import create_product
from sandbox.rackbeat.records.products import update_product

# resource -> scopes that may read it
LOOKUPS = {
    "product_groups": ("products",),
    "units": ("products",),
    "layouts": ("customers", "invoices"),
    "payment_terms": ("customers", "suppliers"),
}


def _register_lookup(resource: str, scopes: tuple[str, ...]) -> None:
    path = "/" + resource.replace("_", "-")

    @scoped(*scopes)
    def index() -> Any:
        with get_store().lock:
            return paginated(resource, matching(account(), resource))

    @scoped(*scopes)
    def show(number: str) -> Any:
        with get_store().lock:
            record = find(account(), resource, parse_key(resource, number))
            return single(SINGULAR[resource], dict(record))

    bp.add_url_rule(path, f"{resource}_index", index, methods=["GET"])
    bp.add_url_rule(f"{path}/<number>", f"{resource}_show", show, methods=["GET"])


for _resource, _scopes in LOOKUPS.items():
    _register_lookup(_resource, _scopes)


@bp.get("/products")
@scoped("products")
def products_index() -> Any:
    with get_store().lock:
        return paginated("products", matching(account(), "products"))


@bp.get("/products/<path:number>")
@scoped("products")
def products_show(number: str) -> Any:
    with get_store().lock:
        return single("product", dict(find(account(), "products", number)))


@bp.post("/products")
@scoped("products")
def products_create() -> Any:
    body = json_body()
    store = get_store()
    with store.lock:
        record = create_product(store, account(), body, suppress=suppress_requested(body))
    return single("product", record, 201)


@bp.route("/products/<path:number>", methods=["PUT", "PATCH"])
@scoped("products")
def products_update(number: str) -> Any:
    body = json_body()
    store = get_store()
    with store.lock:
        record = update_product(store, account(), number, body, suppress=suppress_requested(body))
    return single("product", record)
