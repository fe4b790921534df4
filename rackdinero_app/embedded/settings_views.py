"""Settings pages (I3): purchase (P1–P4), sales (C1–C6), units and layouts (C7, C8); the
start synchronisation (S1) has its own module, ``start_sync.py``."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from flask import abort
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import format_time

from rackdinero_app.embedded import bp
from rackdinero_app.embedded.invoice_import import import_card
from rackdinero_app.embedded.settings_sources import load_catalogue
from rackdinero_app.embedded.settings_store import current_snapshot
from rackdinero_app.embedded.settings_store import save_settings
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import require_active
from rackdinero_app.embedded.views import to
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
from rackdinero_app.settings.schedule import next_hourly_import
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.settings.suggestions import suggest_language
from rackdinero_app.settings.suggestions import suggest_unit
from rackdinero_app.settings.suggestions import suggestions


def _saved_options(listed: tuple[Option, ...] | None, numbers) -> tuple[Option, ...]:
    """The live list, or, while it is unavailable, the saved numbers so they stay visible."""
    if listed is not None:
        return listed
    return tuple(Option(number, number) for number in sorted(set(numbers)))


def _own(section: Section, problems: dict[str, str]) -> dict[str, str]:
    return {field: message for field, message in problems.items() if section_of(field) is section}


def _page(
    section: Section,
    values: SettingsSnapshot,
    catalogue: Catalogue,
    errors: dict[str, str],
    status: int,
    saved: SettingsSnapshot,
):
    """The page with ``values``: ``errors`` are its own problems; what transfers still need
    from this page is shown next to its field too, and what they need from any page (of the
    ``saved`` settings) is listed with a link to each field."""
    saved_groups = [group for group, _ in (*values.purchase_accounts, *values.revenue_accounts)]
    units = _saved_options(catalogue.units, values.units)
    layouts = _saved_options(catalogue.layouts, values.layout_languages)
    return render_template(
        f"embedded/settings_{section}.html",
        section=section,
        values=values,
        catalogue=catalogue,
        errors=_own(section, missing(values, catalogue)) | errors,
        needs_attention=bool(errors),
        still_missing=still_missing(saved, catalogue),
        saved=request.args.get("saved") == "1" and request.method == "GET",
        groups=_saved_options(catalogue.product_groups, saved_groups),
        units=units,
        layouts=layouts,
        unit_suggestions=suggestions(units, values.units, suggest_unit),
        layout_suggestions=suggestions(layouts, values.layout_languages, suggest_language),
        next_import=format_time(next_hourly_import(datetime.now(UTC)), "HH:mm"),
        **(import_card(g.connection.id, saved) if section is Section.SALES else {}),
        fields=fields,
        MappingDirection=MappingDirection,
        DineroInvoiceStatus=DineroInvoiceStatus,
        InvoiceDirection=InvoiceDirection,
        DineroUnit=DineroUnit,
        DineroLanguage=DineroLanguage,
    ), status


@bp.route("/settings/<section>", methods=["GET", "POST"])
def settings_section(section: str):
    """Show a section with the saved values, or save it all-or-nothing."""
    if section not in Section.__members__.values():
        abort(404)
    section = Section(section)
    if (inactive := require_active()) is not None:
        return inactive
    before = current_snapshot(g.connection)
    posted = request.method == "POST"
    # A save checks against fresh lists: a minute-old chart may miss a just-deleted account.
    catalogue = load_catalogue(g.connection, fresh=posted)
    if not posted or not catalogue.complete:  # show the page; or refuse: nothing can be checked
        already_wrong = _own(section, validate(before, catalogue))
        return _page(section, before, catalogue, already_wrong, 503 if posted else 200, before)
    after, errors = parse_section(section, request.form, catalogue, before)
    # Only this page's own fields can refuse its save; what transfers still need from another
    # page (units, layouts) is listed instead, and a transfer that needs it names the fix.
    errors = _own(section, validate(after, catalogue)) | errors
    if errors:
        return _page(section, after, catalogue, errors, 422, before)
    save_settings(g.connection, before, after, actor(), section)
    return redirect(to("embedded.settings_section", section=section, saved=1), 303)
