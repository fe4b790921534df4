"""Assisted setup: an operator changes a connection's settings on the customer's behalf.

Same sections, same checks and the same all-or-nothing save as the customer's own pages
(``setup/``), so support can store nothing the customer could not; the audit entry holds who,
the required reason, the section and every setting before and after. Viewers keep the
read-only settings on the connection page."""

from __future__ import annotations

from flask import abort
from flask import g
from flask import render_template
from flask import request
from flask_babel import force_locale

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.form import Section
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.setup.section import already_wrong
from rackdinero_app.setup.section import check_post
from rackdinero_app.setup.section import form_context
from rackdinero_app.setup.section import section_named
from rackdinero_app.setup.sources import load_catalogue
from rackdinero_app.setup.store import current_snapshot
from rackdinero_app.setup.store import save_settings
from rackdinero_app.support import bp
from rackdinero_app.support.actions import begin
from rackdinero_app.support.actions import refuse
from rackdinero_app.support.actions import told
from rackdinero_app.support.auth import staff_required

# Paused connections are activated too: support pauses one while its settings are fixed.
ACTIVATED = (ConnectionState.ACTIVE, ConnectionState.PAUSED)
TITLES = {
    Section.PURCHASE: "Purchase and suppliers",
    Section.SALES: "Sales and customers",
    Section.UNITS: "Units and layouts",
}


def _require_activated(connection: Connection) -> None:
    """Dinero's chart of accounts needs the customer's Dinero sign-in: without it nothing can
    be listed or checked, so nothing can be saved."""
    if connection.state == ConnectionState.UNINSTALLED:
        refuse("This connection is uninstalled: its settings cannot be changed.")
    if connection.state not in ACTIVATED or connection.dinero_organization_id is None:
        refuse(
            "This connection is not activated yet (no Dinero sign-in): Dinero's accounts "
            "cannot be read, so its settings cannot be changed. The customer activates it first."
        )


def _page(
    connection: Connection,
    section: Section,
    values: SettingsSnapshot,
    catalogue: Catalogue,
    errors: dict[str, str],
    status: int,
    saved: SettingsSnapshot,
):
    """The form in English: the settings' messages are translated texts, and staff pages are
    English whatever the browser asks for."""
    with force_locale("en"):
        page = render_template(
            "support/settings_form.html",
            **form_context(section, values, catalogue, errors, saved),
            connection=connection,
            staff=g.staff,
            title=TITLES[section],
            titles=TITLES,
            reason=request.form.get("reason", "") if request.method == "POST" else "",
        )
    return page, status


@bp.route("/connections/<int:connection_id>/settings/<section>", methods=["GET", "POST"])
@staff_required("operator")
def assisted_settings(connection_id: int, section: str):
    """Show a section with the saved values and the live lists, or save it for the customer."""
    section = section_named(section) or abort(404)
    if request.method == "GET":
        connection = db.session.get(Connection, connection_id) or abort(404)
    else:
        connection, reason = begin(connection_id)
    _require_activated(connection)
    before = current_snapshot(connection)
    if request.method == "GET":
        catalogue = load_catalogue(connection)
        wrong = already_wrong(section, before, catalogue)
        return _page(connection, section, before, catalogue, wrong, 200, before)
    # A save checks against fresh lists, as the customer's does; an incomplete one checks nothing.
    catalogue = load_catalogue(connection, fresh=True)
    if not catalogue.complete:
        wrong = already_wrong(section, before, catalogue)
        return _page(connection, section, before, catalogue, wrong, 503, before)
    after, errors = check_post(section, request.form, catalogue, before)
    if errors:
        return _page(connection, section, after, catalogue, errors, 422, before)
    changes = save_settings(
        connection,
        before,
        after,
        g.staff.email,
        section,
        actor_type=ActorType.STAFF,
        action="settings.assisted",
        reason=reason,
    )
    if not changes:
        return told(connection, "Nothing changed.")
    count = f"{len(changes)} change" + ("" if len(changes) == 1 else "s")
    return told(connection, f"Settings saved for the customer ({count}).")
