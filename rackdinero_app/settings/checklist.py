"""What is still missing before transfers can run, page by page in the article's order (O1).

The saved settings and the live lists in, plain data out: each item names what to do and the
form field that does it, so a page can link straight to that field.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.fields import layout_field
from rackdinero_app.settings.fields import unit_field
from rackdinero_app.settings.form import Section
from rackdinero_app.settings.form import section_of
from rackdinero_app.settings.rules import account_errors
from rackdinero_app.settings.rules import chosen_accounts
from rackdinero_app.settings.rules import empty_cells
from rackdinero_app.settings.rules import goods_consumption_errors
from rackdinero_app.settings.rules import layouts_without_language
from rackdinero_app.settings.rules import unmapped_units
from rackdinero_app.settings.snapshot import SettingsSnapshot

ARTICLE_ORDER: tuple[Section, ...] = (Section.PURCHASE, Section.SALES, Section.UNITS)
EMPTY_MATRIX = {
    MappingDirection.PURCHASE: _l(
        "Choose a supplier-invoice account for every product group and VAT zone: the supplier "
        "integration is on."
    ),
    MappingDirection.SALES: _l(
        "Choose a revenue account for every product group and VAT zone: the customer "
        "integration is on."
    ),
}


@dataclass(frozen=True)
class Missing:
    """One thing to fix: on which page, in which field, and what to do."""

    section: Section
    field: str
    message: str


@dataclass(frozen=True)
class Step:
    """One page of the setup checklist; ``integration_on`` is None for units and languages."""

    section: Section
    integration_on: bool | None
    missing: tuple[Missing, ...]

    @property
    def done(self) -> bool:
        return not self.missing and self.integration_on is not False


def still_missing(values: SettingsSnapshot, catalogue: Catalogue) -> tuple[Missing, ...]:
    """Every problem of the saved settings, in the article's order; a list that is unavailable
    is not checked."""
    found = [
        Missing(section_of(cells[0]), cells[0], EMPTY_MATRIX[direction])
        for direction, cells in empty_cells(values, catalogue).items()
    ]
    found += [
        Missing(section_of(field), field, message)
        for field, message in goods_consumption_errors(values).items()
    ]
    chosen = chosen_accounts(values)
    listed: set[tuple[Section, int]] = set()
    for field, message in account_errors(values, catalogue).items():
        if (section_of(field), chosen[field]) not in listed:  # once per account and page
            listed.add((section_of(field), chosen[field]))
            found.append(Missing(section_of(field), field, message))
    # One item per list, however many units or layouts it names: the list stays short.
    if units := unmapped_units(values, catalogue):
        found.append(
            Missing(
                Section.UNITS,
                unit_field(units[0].number),
                _l(
                    "Choose a Dinero unit for each unit your products use: %(names)s. An "
                    "integration is on.",
                    names=", ".join(unit.name for unit in units),
                ),
            )
        )
    if layouts := layouts_without_language(values, catalogue):
        found.append(
            Missing(
                Section.UNITS,
                layout_field(layouts[0].number),
                _l(
                    "Choose the Dinero invoice language for each layout your customers use: "
                    "%(names)s. The customer integration is on.",
                    names=", ".join(layout.name for layout in layouts),
                ),
            )
        )
    return tuple(sorted(found, key=lambda item: ARTICLE_ORDER.index(item.section)))


def checklist(values: SettingsSnapshot, catalogue: Catalogue) -> tuple[Step, ...]:
    """The overview's setup checklist: purchase → sales → units and languages."""
    items = still_missing(values, catalogue)
    integrations = {
        Section.PURCHASE: values.supplier_integration_enabled,
        Section.SALES: values.customer_integration_enabled,
    }
    return tuple(
        Step(
            section,
            integrations.get(section),
            tuple(item for item in items if item.section is section),
        )
        for section in ARTICLE_ORDER
    )
