"""Read one settings section from a submitted form into a new snapshot (plain data)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.catalogue import Option
from rackdinero_app.settings.fields import VAT_ZONES
from rackdinero_app.settings.fields import layout_field
from rackdinero_app.settings.fields import matrix_field
from rackdinero_app.settings.fields import unit_field
from rackdinero_app.settings.snapshot import SettingsSnapshot

E = TypeVar("E", bound=enum.Enum)


class Section(enum.StrEnum):
    """The settings pages; each saves only its own fields."""

    PURCHASE = "purchase"  # P1–P4
    SALES = "sales"  # C1–C6
    UNITS = "units"  # C7, C8


SCALAR_SECTIONS: dict[str, Section] = {
    "supplier_integration_enabled": Section.PURCHASE,
    "supplier_invoice_status": Section.PURCHASE,
    "supplier_number_in_name": Section.PURCHASE,
    "customer_integration_enabled": Section.SALES,
    "customer_number_in_name": Section.SALES,
    "goods_consumption_enabled": Section.SALES,
    "inventory_account": Section.SALES,
    "goods_consumption_account": Section.SALES,
    "sales_invoice_status": Section.SALES,
    "invoice_direction": Section.SALES,
}
PREFIX_SECTIONS: dict[str, Section] = {
    f"{MappingDirection.PURCHASE}-": Section.PURCHASE,
    f"{MappingDirection.SALES}-": Section.SALES,
    "unit-": Section.UNITS,
    "layout-": Section.UNITS,
}


def section_of(field: str) -> Section:
    """The page a form field (and so its error) belongs to."""
    if field in SCALAR_SECTIONS:
        return SCALAR_SECTIONS[field]
    return next(s for prefix, s in PREFIX_SECTIONS.items() if field.startswith(prefix))


def parse_section(
    section: Section, form: Mapping[str, str], catalogue: Catalogue, current: SettingsSnapshot
) -> tuple[SettingsSnapshot, dict[str, str]]:
    """``current`` with this section's fields replaced from ``form``, and any unreadable fields."""
    errors: dict[str, str] = {}
    groups = catalogue.product_groups or ()
    if section is Section.PURCHASE:
        changes = {
            "supplier_integration_enabled": "supplier_integration_enabled" in form,
            "supplier_invoice_status": _choice(
                form, "supplier_invoice_status", DineroInvoiceStatus, errors
            ),
            "supplier_number_in_name": "supplier_number_in_name" in form,
            "purchase_accounts": _matrix(form, MappingDirection.PURCHASE, groups, errors),
        }
    elif section is Section.SALES:
        changes = {
            "customer_integration_enabled": "customer_integration_enabled" in form,
            "customer_number_in_name": "customer_number_in_name" in form,
            "goods_consumption_enabled": "goods_consumption_enabled" in form,
            "inventory_account": _account(form, "inventory_account", errors),
            "goods_consumption_account": _account(form, "goods_consumption_account", errors),
            "sales_invoice_status": _choice(
                form, "sales_invoice_status", DineroInvoiceStatus, errors
            ),
            "invoice_direction": _choice(form, "invoice_direction", InvoiceDirection, errors),
            "revenue_accounts": _matrix(form, MappingDirection.SALES, groups, errors),
        }
    else:
        changes = {
            "units": _mapping(form, catalogue.units or (), unit_field, DineroUnit, errors),
            "layout_languages": _mapping(
                form, catalogue.layouts or (), layout_field, DineroLanguage, errors
            ),
        }
    kept = {name: value for name, value in changes.items() if value is not None}
    return dataclasses.replace(current, **kept), errors


def _choice(form: Mapping[str, str], name: str, kind: type[E], errors: dict[str, str]) -> E | None:
    try:
        return kind(form.get(name, ""))
    except ValueError:
        errors[name] = _l("Choose one of the options.")
        return None


def _account(form: Mapping[str, str], name: str, errors: dict[str, str]) -> int | None:
    raw = form.get(name, "").strip()
    if raw and not raw.isdigit():
        errors[name] = _l("Choose an account from the list.")
    return int(raw) if raw.isdigit() else None


def _matrix(
    form: Mapping[str, str],
    direction: MappingDirection,
    groups: Iterable[Option],
    errors: dict[str, str],
) -> dict[tuple[str, VatZone], int]:
    cells = {}
    for group in groups:
        for zone in VAT_ZONES:
            number = _account(form, matrix_field(direction, group.number, zone), errors)
            if number is not None:
                cells[(group.number, zone)] = number
    return cells


def _mapping(
    form: Mapping[str, str],
    options: Iterable[Option],
    field_name,
    kind: type[E],
    errors: dict[str, str],
) -> dict[str, E]:
    chosen = {}
    for option in options:
        name = field_name(option.number)
        if form.get(name):
            value = _choice(form, name, kind, errors)
            if value is not None:
                chosen[option.number] = value
    return chosen
