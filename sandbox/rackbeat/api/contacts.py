"""Customers and suppliers."""

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
from sandbox.rackbeat.records.contacts import create_contact
from sandbox.rackbeat.records.contacts import update_contact


def _register(resource: str) -> None:
    path = "/" + resource
    singular = SINGULAR[resource]

    @scoped(resource)
    def index() -> Any:
        with get_store().lock:
            return paginated(resource, matching(account(), resource))

    @scoped(resource)
    def show(number: str) -> Any:
        with get_store().lock:
            return single(singular, dict(find(account(), resource, parse_key(resource, number))))

    @scoped(resource)
    def create() -> Any:
        body = json_body()
        store = get_store()
        with store.lock:
            record = create_contact(
                store,
                account(),
                resource,
                body,
                suppress=suppress_requested(body),
                terms_required=True,
            )
        return single(singular, record, 201)

    @scoped(resource)
    def update(number: str) -> Any:
        body = json_body()
        store = get_store()
        with store.lock:
            key = parse_key(resource, number)
            record = update_contact(
                store, account(), resource, key, body, suppress=suppress_requested(body)
            )
        return single(singular, record)

    bp.add_url_rule(path, f"{resource}_index", index, methods=["GET"])
    bp.add_url_rule(path, f"{resource}_create", create, methods=["POST"])
    bp.add_url_rule(f"{path}/<number>", f"{resource}_show", show, methods=["GET"])
    bp.add_url_rule(f"{path}/<number>", f"{resource}_update", update, methods=["PUT", "PATCH"])


for _resource in ("customers", "suppliers"):
    _register(_resource)
