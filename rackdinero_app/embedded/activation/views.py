"""The activation page (I2): the form, its progress while the job runs, and the outcome."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import abort
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import gettext as _

from rackdinero_app.embedded import bp
from rackdinero_app.embedded.activation.attempts import get_attempt
from rackdinero_app.embedded.activation.attempts import start_attempt
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models import Settings
from rackdinero_app.models.enums import StartSyncChoice

ORGANIZATION_ID = re.compile(r"^\d{1,12}$")
MAX_API_KEY_LENGTH = 200


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
