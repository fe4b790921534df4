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

# Where each choice is made, as the embedded settings pages title their sections.
REVENUE_ACCOUNTS_PAGE = "Settings > Sales and customers > Revenue accounts"
PURCHASE_ACCOUNTS_PAGE = "Settings > Purchase and suppliers > Accounts for supplier invoices"
GOODS_CONSUMPTION_PAGE = "Settings > Sales and customers > Goods consumption"
UNITS_PAGE = "Settings > Units and languages > Units"
LAYOUTS_PAGE = "Settings > Units and languages > Layouts and invoice language"

ZONE_LABELS = {VatZone.DOMESTIC: "Domestic", VatZone.EU: "EU", VatZone.ABROAD: "Abroad"}
DEFAULT_LANGUAGE = DineroLanguage.DANISH  # Dinero's own default, for invoices without a layout

T = TypeVar("T")


def vat_zone_of(record: Mapping[str, Any]) -> VatZone:
    """The VAT zone of a Rackbeat customer or supplier."""
    raw = record.get("vat_zone")
    try:
        return VatZone(str(raw).strip().lower())
    except ValueError:
        name = record.get("company_name") or "the contact"
        raise InvalidSourceRecord(
            f'"{name}" ({record.get("number")}) has the VAT zone {raw!r}, which is not Domestic, '
            "EU or Abroad. Set its VAT zone in Rackbeat."
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
        raise MissingMapping(
            [
                f"Map {labelled('product group', product_group, group_names)} for the "
                f"{ZONE_LABELS[vat_zone]} zone in {REVENUE_ACCOUNTS_PAGE}."
            ]
        )
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
        raise MissingMapping(
            [
                f"Map {labelled('product group', product_group, group_names)} for the "
                f"{ZONE_LABELS[vat_zone]} zone in {PURCHASE_ACCOUNTS_PAGE}."
            ]
        )
    return account


def dinero_unit_for(
    settings: SettingsSnapshot, rackbeat_unit: Any, unit_names: Mapping[str, str] | None = None
) -> DineroUnit:
    """The Dinero unit the user chose for a Rackbeat unit (C7)."""
    unit = settings.units.get(key(rackbeat_unit))
    if unit is None:
        raise MissingMapping(
            [
                f"Map the {labelled('Rackbeat unit', rackbeat_unit, unit_names)} to a Dinero "
                f"unit in {UNITS_PAGE}."
            ]
        )
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
            [
                f"Choose the Dinero invoice language for the "
                f"{labelled('layout', layout_id, layout_names)} in {LAYOUTS_PAGE}."
            ]
        )
    return DineroLanguage(language)


class Fixes:
    """Collects the fixes of every failed lookup, so one error can list them all."""

    def __init__(self) -> None:
        self.fixes: list[str] = []

    def attempt(self, lookup: Callable[..., T], *args: Any) -> T | None:
        try:
            return lookup(*args)
        except MissingMapping as error:
            self.fixes.extend(error.fixes)
            return None

    def add(self, fix: str) -> None:
        self.fixes.append(fix)

    def raise_if_any(self) -> None:
        if self.fixes:
            raise MissingMapping(self.fixes)
