"""Embedded pages: the session (tenancy per request), launch, and the helpers every page
shares (``to``, ``actor``, ``require_active``, ``page_error``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from rackdinero_app.embedded import bp
from rackdinero_app.embedded import session as embedded_session
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState

# Reached without a session: they make one (a launch, or contract B's settings URL).
PUBLIC_ENDPOINTS = {"embedded.launch", "embedded.settings_link"}


def page_error(message: str, status: int):
    return render_template("embedded/error.html", message=message), status


@bp.before_request
def load_embedded_session():
    """Resolve the connection once per request from the signed session token (tenancy)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    try:
        g.embedded = embedded_session.load(request.values.get("s"))
    except embedded_session.SessionInvalid:
        return page_error(
            _(
                "Your session has expired. Open the app again from Rackbeat > Settings > Apps > "
                "Dinero."
            ),
            401,
        )
    connection = db.session.get(Connection, g.embedded.connection_id)
    if (
        connection is None
        or connection.rackbeat_account_id != g.embedded.account_id
        or connection.state == ConnectionState.UNINSTALLED
    ):
        return page_error(_("The Dinero app is not installed for this Rackbeat account."), 403)
    g.connection = connection
    if request.method == "POST" and not embedded_session.csrf_valid(
        g.embedded, request.form.get("csrf_token")
    ):
        return page_error(
            _(
                "This form has expired or was not sent from this page. Reload the page and try "
                "again."
            ),
            400,
        )
    return None


@bp.after_request
def embedded_headers(response):
    """Only Rackbeat may frame these pages; nothing leaks the session token onwards."""
    origin = current_app.config["RACKBEAT_BASE_URL"].rstrip("/")
    response.headers["Content-Security-Policy"] = (
        f"frame-ancestors {origin}; default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_context_processor
def embedded_context():
    """The embedded session's values, for the embedded pages only: other pages (install,
    the Visma window) use Flask-WTF's own ``csrf_token``."""
    if "embedded" not in g or request.blueprint != bp.name:
        return {}
    return {
        "session_token": request.values.get("s"),
        "csrf_token": embedded_session.csrf_token(g.embedded),
        "connection": g.connection,
        "user": g.embedded.user,
    }


def to(endpoint: str, **values):
    """A URL inside the embedded pages, carrying the session token."""
    return url_for(endpoint, s=request.values.get("s"), **values)


def actor() -> str:
    """Who acts, for the audit trail: the Rackbeat user of this session."""
    return g.embedded.user.get("email") or str(g.embedded.user.get("id"))


def paused_text() -> str:
    """Why nothing runs now, in the reader's language."""
    return _(
        "Our support team has paused the transfers for this account. Nothing is lost: what "
        "happens in Rackbeat waits and is transferred when they resume. Contact support if "
        "you did not expect this."
    )


def require_active(*, starts_work: bool = False):
    """Pages that need an activated connection: a page goes home, a POST is refused. A POST
    that ``starts_work`` (send an invoice now, import now, the start sync) is refused as well
    while support has paused the transfers, rather than left waiting unseen."""
    if g.connection.state == ConnectionState.PAUSED and starts_work and request.method == "POST":
        return page_error(paused_text(), 409)
    if g.connection.activated:
        return None
    if request.method == "POST":
        return page_error(_("Activate the integration before changing its settings."), 409)
    return redirect(to("embedded.home"))


@bp.get("/launch")
def launch():
    try:
        claims = embedded_session.verify_launch(request.args.get("launch", ""))
    except embedded_session.LaunchRefused as error:
        return page_error(str(error), 401)
    connection = db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == int(claims["sub"]))
    )
    if connection is None or connection.state == ConnectionState.UNINSTALLED:
        return page_error(
            _(
                "The Dinero app is not installed for this Rackbeat account. Install it from "
                "Rackbeat > Apps > Dinero."
            ),
            403,
        )
    token = embedded_session.issue(connection.id, claims)
    return redirect(url_for("embedded.home", s=token))
