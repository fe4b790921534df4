"""Embedded pages: launch, home, activation (I2)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from rackdinero_app.embedded import bp
from rackdinero_app.embedded import session as embedded_session
from rackdinero_app.extensions import db
from rackdinero_app.install.activation import get_attempt
from rackdinero_app.install.activation import start_attempt
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import StartSyncChoice

PUBLIC_ENDPOINTS = {"embedded.launch"}
ORGANIZATION_ID = re.compile(r"^\d{1,12}$")
MAX_API_KEY_LENGTH = 200


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
    if "embedded" not in g:
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


@bp.get("/")
def home():
    if g.connection.state == ConnectionState.INSTALLED:
        return redirect(to("embedded.activation"))
    return render_template("embedded/home.html")


@bp.route("/activation", methods=["GET", "POST"])
def activation():
    errors: dict[str, str] = {}
    values = {"organization_id": "", "api_key": ""}
    if request.method == "POST":
        values["organization_id"] = request.form.get("organization_id", "").strip()
        api_key = request.form.get("api_key", "").strip()
        if not api_key:
            errors["api_key"] = _("Enter the API key you created in Dinero.")
        elif len(api_key) > MAX_API_KEY_LENGTH:
            errors["api_key"] = _("This is not a Dinero API key: it is far too long.")
        if not ORGANIZATION_ID.match(values["organization_id"]):
            errors["organization_id"] = _(
                "Enter the company ID as digits only, as shown at the bottom left in Dinero "
                "(for example 400555)."
            )
        if not errors:
            actor = g.embedded.user.get("email") or str(g.embedded.user.get("id"))
            attempt = start_attempt(g.connection, int(values["organization_id"]), api_key, actor)
            return redirect(to("embedded.activation_progress", attempt_id=attempt.id), 303)
    status = 422 if errors else 200
    return render_template("embedded/activation.html", errors=errors, values=values), status


@bp.get("/activation/<attempt_id>")
def activation_progress(attempt_id: str):
    attempt = get_attempt(attempt_id, g.connection.id) or abort(404)
    if attempt.state == "succeeded":
        # Right after activation the one-time import from Dinero is offered (S1).
        settings = db.session.scalar(
            sa.select(Settings).where(Settings.connection_id == g.connection.id)
        )
        if settings is not None and settings.start_sync == StartSyncChoice.UNDECIDED:
            return redirect(to("embedded.start_sync"))
        return redirect(to("embedded.home"))
    if attempt.state == "failed":
        values = {"organization_id": str(attempt.organization_id), "api_key": ""}
        return render_template(
            "embedded/activation.html", errors={}, values=values, failure=attempt.message
        )
    return render_template("embedded/activation_progress.html", attempt=attempt)


@bp.get("/activation/<attempt_id>/status")
def activation_status(attempt_id: str):
    attempt = get_attempt(attempt_id, g.connection.id) or abort(404)
    return jsonify(state=attempt.state, finished=attempt.finished, message=attempt.message)
