"""Rackbeat products → Dinero products."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.mapping.choices import Fixes
from rackdinero_app.transfers.mapping.choices import dinero_unit_for
from rackdinero_app.transfers.mapping.choices import purchase_account_for
from rackdinero_app.transfers.mapping.choices import revenue_account_for
from rackdinero_app.transfers.mapping.values import dec
from rackdinero_app.transfers.mapping.values import key
from rackdinero_app.transfers.mapping.values import money
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message


def product_payload(
    product: Mapping[str, Any],
    settings: SettingsSnapshot,
    *,
    external_reference: str,
    group_names: Mapping[str, str] | None = None,
    unit_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Body of ``POST /v1/{org}/products`` and of its PUT (ProductCreate/UpdateModel).

    Neither model takes a client-chosen guid: Dinero returns the ProductGuid. The account is
    the product group's revenue account for the Domestic zone (invoice lines carry their own);
    with only the supplier integration on and no revenue account mapped, its Domestic account
    for supplier invoices, since Dinero requires an account on every product.
    """
    number = text(product.get("number"))
    if number is None:
        raise InvalidSourceRecord(Message.of("product_without_number", name=product.get("name")))
    fixes = Fixes()
    account = fixes.attempt(
        _account_for(settings, product.get("group")),
        settings,
        product.get("group"),
        VatZone.DOMESTIC,
        group_names,
    )
    unit = fixes.attempt(dinero_unit_for, settings, product.get("unit"), unit_names)
    fixes.raise_if_any()
    price = product.get("sales_price")
    return {
        "ProductNumber": number,
        "Name": text(product.get("name")) or number,
        "BaseAmountValue": money(
            Decimal(0)
            if price is None
            else dec(price, Message.of("sales_price_of_product", number=number))
        ),
        "Quantity": 1.0,
        "AccountNumber": account,
        "Unit": str(unit),
        "ExternalReference": external_reference,
    }


def _account_for(settings: SettingsSnapshot, group: Any):
    """Which matrix gives a product its account (see ``product_payload``)."""
    supplier_only = (
        settings.supplier_integration_enabled and not settings.customer_integration_enabled
    )
    if supplier_only and (key(group), VatZone.DOMESTIC) not in settings.revenue_accounts:
        return purchase_account_for
    return revenue_account_for
