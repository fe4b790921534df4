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
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import require_active
from rackdinero_app.embedded.views import to
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.form import Section
from rackdinero_app.settings.schedule import next_hourly_import
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.setup.section import already_wrong
from rackdinero_app.setup.section import check_post
from rackdinero_app.setup.section import form_context
from rackdinero_app.setup.section import section_named
from rackdinero_app.setup.sources import load_catalogue
from rackdinero_app.setup.store import current_snapshot
from rackdinero_app.setup.store import save_settings


def _page(
    section: Section,
    values: SettingsSnapshot,
    catalogue: Catalogue,
    errors: dict[str, str],
    status: int,
    saved: SettingsSnapshot,
):
    """The page with ``values`` (see ``form_context``), the saved notice and the sales page's
    invoice import card."""
    return render_template(
        f"embedded/settings_{section}.html",
        **form_context(section, values, catalogue, errors, saved),
        saved=request.args.get("saved") == "1" and request.method == "GET",
        next_import=format_time(next_hourly_import(datetime.now(UTC)), "HH:mm"),
        **(import_card(g.connection.id, saved) if section is Section.SALES else {}),
    ), status


@bp.route("/settings/<section>", methods=["GET", "POST"])
def settings_section(section: str):
    """Show a section with the saved values, or save it all-or-nothing."""
    section = section_named(section) or abort(404)
    if (inactive := require_active()) is not None:
        return inactive
    before = current_snapshot(g.connection)
    posted = request.method == "POST"
    # A save checks against fresh lists: a minute-old chart may miss a just-deleted account.
    catalogue = load_catalogue(g.connection, fresh=posted)
    if not posted or not catalogue.complete:  # show the page; or refuse: nothing can be checked
        wrong = already_wrong(section, before, catalogue)
        return _page(section, before, catalogue, wrong, 503 if posted else 200, before)
    after, errors = check_post(section, request.form, catalogue, before)
    if errors:
        return _page(section, after, catalogue, errors, 422, before)
    save_settings(g.connection, before, after, actor(), section)
    return redirect(to("embedded.settings_section", section=section, saved=1), 303)
