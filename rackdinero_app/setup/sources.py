"""Fill the settings drop-downs live from Dinero and Rackbeat (the I/O edge of the pages)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import current_app

from rackdinero_app.catalogue_cache import InUse
from rackdinero_app.catalogue_cache import in_use
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.catalogue import Option
from rackdinero_app.transfers.mapping.values import key

ACCOUNTS_CACHE_SECONDS = 60


def accounts_key(connection_id: int) -> str:
    return f"rackdinero:settings:accounts:{connection_id}"


def forget_dinero_accounts(connection_id: int) -> None:
    """Drop the cached chart of accounts (another Dinero company was connected)."""
    rq.redis.delete(accounts_key(connection_id))


def dinero_accounts(connection: Connection, *, fresh: bool) -> dict[int, str]:
    """The chart of accounts, cached per connection for a minute; ``fresh`` reads Dinero again."""
    key = accounts_key(connection.id)
    cached = None if fresh else rq.redis.get(key)
    if cached is not None:
        return {int(number): name for number, name in json.loads(cached)}
    client = connection_dinero_client(connection)
    accounts = {
        int(account["AccountNumber"]): account["Name"]
        for account in client.entry_accounts()
        if not account.get("IsHidden")
    }
    rq.redis.set(key, json.dumps(sorted(accounts.items())), ex=ACCOUNTS_CACHE_SECONDS)
    return accounts


def _options(records) -> tuple[Option, ...]:
    return tuple(Option(str(r["number"]), str(r.get("name") or r["number"])) for r in records)


def _units_products_use(rackbeat: RackbeatClient) -> Iterator[str]:
    """A product's unit as the settings key it: a number, or a nested record's number."""
    return (key(product["unit"]) for product in rackbeat.iter_products() if product.get("unit"))


def _layouts_customers_use(rackbeat: RackbeatClient) -> Iterator[str]:
    return (
        str(customer["layout_id"])
        for customer in rackbeat.iter_customers()
        if customer.get("layout_id")
    )


def load_catalogue(connection: Connection, *, fresh: bool = False) -> Catalogue:
    """Both systems' lists; a system that cannot be reached leaves its side empty with a reason.

    What products and customers use is cached (``catalogue_cache``): finding it pages through
    all of them. ``fresh`` reads everything again, as a save does."""
    values: dict = {}
    try:
        values["accounts"] = dinero_accounts(connection, fresh=fresh)
    except ClientError as error:
        current_app.logger.info("Settings: Dinero unavailable: %r", error)
        values["dinero_error"] = str(error)
    try:
        rackbeat = rackbeat_client(connection)
        values["product_groups"] = _options(rackbeat.iter_product_groups())
        values["units"] = _options(rackbeat.iter_units())
        values["layouts"] = _options(rackbeat.iter_layouts())
        values["units_in_use"] = in_use(
            connection.id, InUse.UNITS, lambda: _units_products_use(rackbeat), fresh=fresh
        )
        values["layouts_in_use"] = in_use(
            connection.id, InUse.LAYOUTS, lambda: _layouts_customers_use(rackbeat), fresh=fresh
        )
    except ClientError as error:
        current_app.logger.info("Settings: Rackbeat unavailable: %r", error)
        values = {k: v for k, v in values.items() if k in ("accounts", "dinero_error")}
        values["rackbeat_error"] = str(error)
    return Catalogue(**values)
