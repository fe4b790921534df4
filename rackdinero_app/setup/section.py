"""One settings section (purchase, sales, units and layouts) as a form: what it shows and how
a post to it is checked, the same for the customer's page and for support's assisted setup, so
an operator can save nothing the customer could not."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.settings import fields
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.catalogue import Option
from rackdinero_app.settings.checklist import still_missing
from rackdinero_app.settings.form import Section
from rackdinero_app.settings.form import parse_section
from rackdinero_app.settings.form import section_of
from rackdinero_app.settings.rules import missing
from rackdinero_app.settings.rules import validate
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.settings.suggestions import suggest_language
from rackdinero_app.settings.suggestions import suggest_unit
from rackdinero_app.settings.suggestions import suggestions


def section_named(name: str) -> Section | None:
    """The section a URL names, or None (the page answers 404)."""
    return Section(name) if name in Section.__members__.values() else None


def own(section: Section, problems: dict[str, str]) -> dict[str, str]:
    """Only the problems of ``section``'s own fields: another page's field cannot refuse a save
    here (what transfers still need from it is listed instead, and a transfer names the fix)."""
    return {field: message for field, message in problems.items() if section_of(field) is section}


def already_wrong(section: Section, saved: SettingsSnapshot, catalogue: Catalogue) -> dict:
    """What is wrong with the saved values of this section now (e.g. an account since deleted)."""
    return own(section, validate(saved, catalogue))


def check_post(
    section: Section, form: Mapping[str, str], catalogue: Catalogue, before: SettingsSnapshot
) -> tuple[SettingsSnapshot, dict[str, str]]:
    """The settings the form asks for and every problem that refuses their save (none: save)."""
    after, errors = parse_section(section, form, catalogue, before)
    return after, own(section, validate(after, catalogue)) | errors


def saved_options(listed: tuple[Option, ...] | None, numbers: Iterable) -> tuple[Option, ...]:
    """The live list, or, while it is unavailable, the saved numbers so they stay visible."""
    if listed is not None:
        return listed
    return tuple(Option(number, number) for number in sorted(set(numbers)))


def form_context(
    section: Section,
    values: SettingsSnapshot,
    catalogue: Catalogue,
    errors: dict[str, str],
    saved: SettingsSnapshot,
) -> dict[str, Any]:
    """What a section's form template needs to show ``values``: ``errors`` are its own problems;
    what transfers still need from this page is shown next to its field too, and what they need
    from any page (of the ``saved`` settings) is listed as ``still_missing``."""
    saved_groups = [group for group, _ in (*values.purchase_accounts, *values.revenue_accounts)]
    units = saved_options(catalogue.units, values.units)
    layouts = saved_options(catalogue.layouts, values.layout_languages)
    return {
        "section": section,
        "values": values,
        "catalogue": catalogue,
        "errors": own(section, missing(values, catalogue)) | errors,
        "needs_attention": bool(errors),
        "still_missing": still_missing(saved, catalogue),
        "groups": saved_options(catalogue.product_groups, saved_groups),
        "units": units,
        "layouts": layouts,
        "unit_suggestions": suggestions(units, values.units, suggest_unit),
        "layout_suggestions": suggestions(layouts, values.layout_languages, suggest_language),
        "fields": fields,
        "MappingDirection": MappingDirection,
        "DineroInvoiceStatus": DineroInvoiceStatus,
        "InvoiceDirection": InvoiceDirection,
        "DineroUnit": DineroUnit,
        "DineroLanguage": DineroLanguage,
    }
