"""The user's choices for one record: VAT zone, accounts (C6, P4), unit (C7), language (C8).

Each lookup raises ``MissingMapping`` naming the exact setting to fill in. ``Fixes`` lets a
payload builder try every lookup first and report all missing settings in one error.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.errors import MissingMapping
from rackdinero_app.transfers.mapping.values import key
from rackdinero_app.transfers.mapping.values import labelled
from rackdinero_app.transfers.messages import Message

# The fix for a missing account, by VAT zone; each names the settings page to fill it in on.
REVENUE_ACCOUNT_FIXES = {
    VatZone.DOMESTIC: "map_revenue_account_domestic",
    VatZone.EU: "map_revenue_account_eu",
    VatZone.ABROAD: "map_revenue_account_abroad",
}
PURCHASE_ACCOUNT_FIXES = {
    VatZone.DOMESTIC: "map_purchase_account_domestic",
    VatZone.EU: "map_purchase_account_eu",
    VatZone.ABROAD: "map_purchase_account_abroad",
}
DEFAULT_LANGUAGE = DineroLanguage.DANISH  # Dinero's own default, for invoices without a layout

T = TypeVar("T")


def vat_zone_of(record: Mapping[str, Any]) -> VatZone:
    """The VAT zone of a Rackbeat customer or supplier."""
    raw = record.get("vat_zone")
    try:
        return VatZone(str(raw).strip().lower())
    except ValueError:
        raise InvalidSourceRecord(
            Message.of(
                "unknown_vat_zone",
                name=record.get("company_name") or Message.of("the_contact"),
                number=record.get("number"),
                zone=repr(raw),
            )
        ) from None


def revenue_account_for(
    settings: SettingsSnapshot,
    product_group: Any,
    vat_zone: VatZone,
    group_names: Mapping[str, str] | None = None,
) -> int:
    """The Dinero revenue account for a product group sold in a VAT zone (C6)."""
    account = settings.revenue_accounts.get((key(product_group), vat_zone))
    if account is None:
        group = labelled(product_group, group_names)
        raise MissingMapping([Message.of(REVENUE_ACCOUNT_FIXES[vat_zone], group=group)])
    return account


def purchase_account_for(
    settings: SettingsSnapshot,
    product_group: Any,
    vat_zone: VatZone,
    group_names: Mapping[str, str] | None = None,
) -> int:
    """The Dinero account for a product group bought from a supplier in a VAT zone (P4)."""
    account = settings.purchase_accounts.get((key(product_group), vat_zone))
    if account is None:
        group = labelled(product_group, group_names)
        raise MissingMapping([Message.of(PURCHASE_ACCOUNT_FIXES[vat_zone], group=group)])
    return account


def dinero_unit_for(
    settings: SettingsSnapshot, rackbeat_unit: Any, unit_names: Mapping[str, str] | None = None
) -> DineroUnit:
    """The Dinero unit the user chose for a Rackbeat unit (C7)."""
    unit = settings.units.get(key(rackbeat_unit))
    if unit is None:
        raise MissingMapping([Message.of("map_unit", unit=labelled(rackbeat_unit, unit_names))])
    return DineroUnit(unit)


def invoice_language_for(
    settings: SettingsSnapshot, layout_id: Any, layout_names: Mapping[str, str] | None = None
) -> DineroLanguage:
    """The Dinero invoice language linked to a Rackbeat layout (C8); Danish without a layout."""
    if layout_id is None or key(layout_id) == "":
        return DEFAULT_LANGUAGE
    language = settings.layout_languages.get(key(layout_id))
    if language is None:
        raise MissingMapping(
            [Message.of("choose_invoice_language", layout=labelled(layout_id, layout_names))]
        )
    return DineroLanguage(language)


class Fixes:
    """Collects the fixes of every failed lookup, so one error can list them all."""

    def __init__(self) -> None:
        self.fixes: list[Message] = []

    def attempt(self, lookup: Callable[..., T], *args: Any) -> T | None:
        try:
            return lookup(*args)
        except MissingMapping as error:
            self.fixes.extend(error.fixes)
            return None

    def add(self, fix: Message) -> None:
        self.fixes.append(fix)

    def raise_if_any(self) -> None:
        if self.fixes:
            raise MissingMapping(self.fixes)
