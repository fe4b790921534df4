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


def _session_refused(error: embedded_session.SessionInvalid):
    """401: the session is unknown or expired, or this browser did not launch it (a link
    passed on to someone else); either way only a new launch from Rackbeat helps."""
    if isinstance(error, embedded_session.OtherBrowser):
        message = _(
            "This page belongs to the Dinero app opened by someone else, or in another "
            "browser. Open the app again from Rackbeat > Settings > Apps > Dinero."
        )
    else:
        message = _(
            "Your session has expired. Open the app again from Rackbeat > Settings > Apps > Dinero."
        )
    return page_error(message, 401)


@bp.before_request
def load_embedded_session():
    """Resolve the connection once per request from the session token (tenancy). The browser
    cookie is looked at first, so a request without it is refused before its body is read."""
    g.pop("embedded", None)
    g.pop("connection", None)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    secret = request.cookies.get(embedded_session.BROWSER_COOKIE)
    try:
        if not secret:
            raise embedded_session.OtherBrowser()
        # A token in the query string is checked before the body is read.
        g.embedded = embedded_session.load(request.args.get("s") or request.form.get("s"), secret)
    except embedded_session.SessionInvalid as error:
        return _session_refused(error)
    connection = db.session.get(Connection, g.embedded.connection_id)
    if (
        connection is None
        or connection.rackbeat_account_id != g.embedded.account_id
        or connection.state == ConnectionState.UNINSTALLED
    ):
        return page_error(_("The Dinero app is not installed for this Rackbeat account."), 403)
    if embedded_session.generation(connection) != g.embedded.generation:
        # Opened before the app was uninstalled and installed again.
        return _session_refused(embedded_session.SessionInvalid())
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
    the Visma window) use Flask-WTF's own ``csrf_token``. A refused session's page (it has no
    connection) only speaks its language."""
    if "embedded" not in g or "connection" not in g or request.blueprint != bp.name:
        return {}
    return {
        "session_token": request.values.get("s"),
        "csrf_token": embedded_session.csrf_token(g.embedded),
        "connection": g.connection,
        "user": g.embedded.user,
    }


def csrf_fields() -> dict[str, str]:
    """The hidden fields an embedded form posts: the session token and its CSRF token."""
    return {"s": request.values.get("s", ""), "csrf_token": embedded_session.csrf_token(g.embedded)}


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
    return open_session(lambda secret: embedded_session.issue(connection, claims, secret))


def open_session(issue):
    """Issue a session bound to this browser (``issue(secret)`` returns its token), set the
    browser's cookie and go to the overview."""
    secret = embedded_session.browser_secret(request.cookies)
    response = redirect(url_for("embedded.home", s=issue(secret)))
    return embedded_session.set_browser_cookie(response, secret)
