"""The settings rules: plain data in, ``{field name: message}`` out (empty means valid)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.fields import VAT_ZONES
from rackdinero_app.settings.fields import matrix_field
from rackdinero_app.settings.fields import unit_field
from rackdinero_app.settings.snapshot import SettingsSnapshot


def validate(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    """Every rule's errors; a rule whose list is unavailable is not checked."""
    errors: dict[str, str] = {}
    errors |= matrix_complete_errors(values, catalogue)
    errors |= goods_consumption_errors(values)
    errors |= unit_errors(values, catalogue)
    errors |= account_errors(values, catalogue)  # last: a missing account says why precisely
    return errors


def chosen_accounts(values: SettingsSnapshot) -> dict[str, int]:
    """Every account the settings name, by the form field that chose it."""
    chosen = {
        name: number
        for name, number in (
            ("inventory_account", values.inventory_account),
            ("goods_consumption_account", values.goods_consumption_account),
        )
        if number is not None
    }
    for direction, matrix in (
        (MappingDirection.PURCHASE, values.purchase_accounts),
        (MappingDirection.SALES, values.revenue_accounts),
    ):
        for (group, zone), number in matrix.items():
            chosen[matrix_field(direction, group, zone)] = number
    return chosen


def account_errors(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    """Each chosen account must exist in Dinero's chart of accounts."""
    if catalogue.accounts is None:
        return {}
    return {
        field: _l(
            "Account %(number)s does not exist in Dinero (any more). Choose another account.",
            number=number,
        )
        for field, number in chosen_accounts(values).items()
        if number not in catalogue.accounts
    }


def matrix_complete_errors(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    """An integration may only be on with its matrix filled for every product group × VAT zone."""
    if catalogue.product_groups is None:
        return {}
    errors: dict[str, str] = {}
    for enabled, toggle, direction, matrix, message in (
        (
            values.supplier_integration_enabled,
            "supplier_integration_enabled",
            MappingDirection.PURCHASE,
            values.purchase_accounts,
            _l(
                "Choose an account for every product group and VAT zone below before turning on "
                "the supplier integration."
            ),
        ),
        (
            values.customer_integration_enabled,
            "customer_integration_enabled",
            MappingDirection.SALES,
            values.revenue_accounts,
            _l(
                "Choose a revenue account for every product group and VAT zone below before "
                "turning on the customer integration."
            ),
        ),
    ):
        if not enabled:
            continue
        missing = [
            matrix_field(direction, group.number, zone)
            for group in catalogue.product_groups
            for zone in VAT_ZONES
            if (group.number, zone) not in matrix
        ]
        if missing:
            errors[toggle] = message
            errors |= {field: _l("Choose an account.") for field in missing}
    return errors


def goods_consumption_errors(values: SettingsSnapshot) -> dict[str, str]:
    """Goods consumption needs an inventory and a goods-consumption account, and two different."""
    if not values.goods_consumption_enabled:
        return {}
    errors: dict[str, str] = {}
    if values.inventory_account is None:
        errors["inventory_account"] = _l("Choose the inventory account.")
    if values.goods_consumption_account is None:
        errors["goods_consumption_account"] = _l("Choose the goods-consumption account.")
    if (
        values.inventory_account is not None
        and values.inventory_account == values.goods_consumption_account
    ):
        errors["goods_consumption_account"] = _l(
            "The goods-consumption account must differ from the inventory account."
        )
    return errors


def unit_errors(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    """While either integration is on, every unit a Rackbeat product uses needs a Dinero unit."""
    integration_on = values.customer_integration_enabled or values.supplier_integration_enabled
    if not integration_on or catalogue.units is None or catalogue.units_in_use is None:
        return {}
    return {
        unit_field(unit.number): _l(
            "Choose a Dinero unit: your products use this unit and an integration is on."
        )
        for unit in catalogue.units
        if unit.number in catalogue.units_in_use and unit.number not in values.units
    }
