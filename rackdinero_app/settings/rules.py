"""The settings rules: plain data in, ``{field name: message}`` out (empty means valid).

``validate`` is what refuses a save: every problem it finds sits in a field of the page that
causes it, so a page's save is refused only for its own fields. ``missing`` is what transfers
still need because of a choice made on another page (an integration turned on): it is shown,
never a reason to refuse a save, and a transfer that needs it fails naming the fix.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.catalogue import Option
from rackdinero_app.settings.fields import VAT_ZONES
from rackdinero_app.settings.fields import layout_field
from rackdinero_app.settings.fields import matrix_field
from rackdinero_app.settings.fields import unit_field
from rackdinero_app.settings.snapshot import SettingsSnapshot

INTEGRATION_TOGGLES: dict[MappingDirection, tuple[str, str]] = {
    MappingDirection.PURCHASE: (
        "supplier_integration_enabled",
        _l(
            "Choose an account for every product group and VAT zone below before turning on "
            "the supplier integration."
        ),
    ),
    MappingDirection.SALES: (
        "customer_integration_enabled",
        _l(
            "Choose a revenue account for every product group and VAT zone below before "
            "turning on the customer integration."
        ),
    ),
}


def validate(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    """Every rule's errors; a rule whose list is unavailable is not checked."""
    errors: dict[str, str] = {}
    errors |= matrix_complete_errors(values, catalogue)
    errors |= goods_consumption_errors(values)
    errors |= account_errors(values, catalogue)  # last: a missing account says why precisely
    return errors


def missing(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    """What the units and languages page still needs because an integration is on."""
    return unit_errors(values, catalogue) | layout_errors(values, catalogue)


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


def empty_cells(
    values: SettingsSnapshot, catalogue: Catalogue
) -> dict[MappingDirection, list[str]]:
    """The empty cells of each matrix whose integration is on (P4, C6), by matrix."""
    if catalogue.product_groups is None:
        return {}
    found: dict[MappingDirection, list[str]] = {}
    for direction, enabled, matrix in (
        (MappingDirection.PURCHASE, values.supplier_integration_enabled, values.purchase_accounts),
        (MappingDirection.SALES, values.customer_integration_enabled, values.revenue_accounts),
    ):
        cells = [
            matrix_field(direction, group.number, zone)
            for group in catalogue.product_groups
            for zone in VAT_ZONES
            if (group.number, zone) not in matrix
        ]
        if enabled and cells:
            found[direction] = cells
    return found


def matrix_complete_errors(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    """An integration may only be on with its matrix filled for every product group × VAT zone."""
    errors: dict[str, str] = {}
    for direction, cells in empty_cells(values, catalogue).items():
        toggle, message = INTEGRATION_TOGGLES[direction]
        errors[toggle] = message
        errors |= {cell: _l("Choose an account.") for cell in cells}
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


def unmapped_units(values: SettingsSnapshot, catalogue: Catalogue) -> list[Option]:
    """While either integration is on, every unit a Rackbeat product uses needs a Dinero unit."""
    integration_on = values.customer_integration_enabled or values.supplier_integration_enabled
    if not integration_on or catalogue.units is None or catalogue.units_in_use is None:
        return []
    return [
        unit
        for unit in catalogue.units
        if unit.number in catalogue.units_in_use and unit.number not in values.units
    ]


def layouts_without_language(values: SettingsSnapshot, catalogue: Catalogue) -> list[Option]:
    """While the customer integration is on, every layout a Rackbeat customer uses needs a
    Dinero invoice language (C8): its sales invoices are written in it."""
    if (
        not values.customer_integration_enabled
        or catalogue.layouts is None
        or catalogue.layouts_in_use is None
    ):
        return []
    return [
        layout
        for layout in catalogue.layouts
        if layout.number in catalogue.layouts_in_use
        and layout.number not in values.layout_languages
    ]


def unit_errors(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    return {
        unit_field(unit.number): _l(
            "Choose a Dinero unit: your products use this unit and an integration is on."
        )
        for unit in unmapped_units(values, catalogue)
    }


def layout_errors(values: SettingsSnapshot, catalogue: Catalogue) -> dict[str, str]:
    return {
        layout_field(layout.number): _l(
            "Choose an invoice language: your customers use this layout and the customer "
            "integration is on."
        )
        for layout in layouts_without_language(values, catalogue)
    }
