"""The pages that set the Dinero credentials: activation (I2), and changing them later (I3).
Both show their progress while the job runs; once Dinero has accepted the credentials they ask
the user to confirm which Rackbeat company is connected to which Dinero company, and only then
save them (Cancel saves nothing)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from rackdinero_app.dinero_sign_in.credentials import read_credentials
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.activation.attempts import ACTIVATION
from rackdinero_app.embedded.activation.attempts import CHANGE
from rackdinero_app.embedded.activation.attempts import Attempt
from rackdinero_app.embedded.activation.attempts import cancel_attempt
from rackdinero_app.embedded.activation.attempts import confirm_attempt
from rackdinero_app.embedded.activation.attempts import get_attempt
from rackdinero_app.embedded.activation.attempts import start_attempt
from rackdinero_app.embedded.activation.limits import count_attempt
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import csrf_fields
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models import Settings
from rackdinero_app.models.enums import StartSyncChoice


@bp.route("/activation", methods=["GET", "POST"])
def activation():
    errors: dict[str, str] = {}
    values = {"organization_id": "", "api_key": ""}
    if request.method == "POST":
        count_attempt(request.form)
        values, api_key, errors = read_credentials(request.form)
        if not errors:
            attempt = start_attempt(g.connection, int(values["organization_id"]), api_key, actor())
            return redirect(to("embedded.activation_progress", attempt_id=attempt.id), 303)
    status = 422 if errors else 200
    return render_template("embedded/activation.html", errors=errors, values=values), status


def after_activation():
    """Where a successful activation leads: right after it the one-time import from Dinero is
    offered (S1), else the overview."""
    settings = db.session.scalar(
        sa.select(Settings).where(Settings.connection_id == g.connection.id)
    )
    if settings is not None and settings.start_sync == StartSyncChoice.UNDECIDED:
        return redirect(to("embedded.start_sync"))
    return redirect(to("embedded.home"))


@bp.get("/activation/<attempt_id>")
def activation_progress(attempt_id: str):
    attempt = get_attempt(attempt_id, g.connection.id) or abort(404)
    if attempt.state == "succeeded":
        return after_activation()
    if attempt.state == "verified":
        return confirm_page(attempt, "embedded.activation_confirm", "embedded.activation_cancel")
    if attempt.state in ("failed", "cancelled"):
        values = {"organization_id": str(attempt.organization_id), "api_key": ""}
        return render_template(
            "embedded/activation.html",
            errors={},
            values=values,
            failure=attempt.message,
            notice=cancelled_text() if attempt.state == "cancelled" else None,
        )
    return render_template("embedded/activation_progress.html", attempt=attempt)


def cancelled_text() -> str:
    return _("Cancelled: nothing was saved, and the integration is as it was.")


def confirm_page(attempt: Attempt, confirm: str, cancel: str):
    """Whose Rackbeat company goes to which Dinero company, with Confirm and Cancel."""
    return render_template(
        "embedded/activation_confirm.html",
        change=attempt.kind == CHANGE,
        company=g.connection.rackbeat_company_name,
        account_id=g.connection.rackbeat_account_id,
        organization_name=attempt.organization_name,
        organization_id=attempt.organization_id,
        confirm_url=url_for(confirm, attempt_id=attempt.id),
        cancel_url=url_for(cancel, attempt_id=attempt.id),
        hidden=csrf_fields(),
    )


@bp.post("/activation/<attempt_id>/confirm")
def activation_confirm(attempt_id: str):
    get_attempt(attempt_id, g.connection.id) or abort(404)
    if confirm_attempt(attempt_id, g.connection, ACTIVATION, actor()):
        return after_activation()
    # Not waiting for an answer (any more): the attempt's page shows where it stands.
    return redirect(to("embedded.activation_progress", attempt_id=attempt_id), 303)


@bp.post("/activation/<attempt_id>/cancel")
def activation_cancel(attempt_id: str):
    get_attempt(attempt_id, g.connection.id) or abort(404)
    cancel_attempt(attempt_id, g.connection.id, ACTIVATION)
    return redirect(to("embedded.activation_progress", attempt_id=attempt_id), 303)


def _status(attempt_id: str, kind: str):
    """What the progress page polls for (the same for both kinds of attempt)."""
    attempt: Attempt = get_attempt(attempt_id, g.connection.id, kind) or abort(404)
    return jsonify(state=attempt.state, finished=attempt.finished, message=attempt.message)


@bp.get("/activation/<attempt_id>/status")
def activation_status(attempt_id: str):
    return _status(attempt_id, ACTIVATION)


def _is_other_organization(values: dict[str, str]) -> bool:
    return values["organization_id"] != str(g.connection.dinero_organization_id)


def change_page(values: dict[str, str], errors: dict[str, str], status: int = 200, **context):
    """The change form; for another company it warns and asks for a confirmation."""
    page = render_template(
        "embedded/activation_change.html",
        values=values,
        errors=errors,
        other_organization=_is_other_organization(values) and "organization_id" not in errors,
        **context,
    )
    return page, status


@bp.route("/dinero-connection", methods=["GET", "POST"])
def change_connection():
    """Replace the Dinero API key and company of an active connection, verified first."""
    if not g.connection.activated:
        if request.method == "POST":
            return page_error(
                _("Activate the integration before changing its Dinero connection."), 409
            )
        return redirect(to("embedded.home"))
    if request.method == "GET":
        values = {"organization_id": str(g.connection.dinero_organization_id), "api_key": ""}
        return change_page(values, {})
    count_attempt(request.form)
    values, api_key, errors = read_credentials(request.form)
    # The confirmation names the company it was given for, so it cannot carry over to another.
    confirmed = request.form.get("confirm_organization") == values["organization_id"]
    if not errors and _is_other_organization(values) and not confirmed:
        errors["confirm_organization"] = _(
            "Tick the box to confirm that you want to connect another Dinero company."
        )
    if errors:
        return change_page(values, errors, 422)
    organization_id = int(values["organization_id"])
    attempt = start_attempt(g.connection, organization_id, api_key, actor(), kind=CHANGE)
    return redirect(to("embedded.change_connection_progress", attempt_id=attempt.id), 303)


@bp.get("/dinero-connection/<attempt_id>")
def change_connection_progress(attempt_id: str):
    attempt = get_attempt(attempt_id, g.connection.id, CHANGE) or abort(404)
    if attempt.state == "succeeded":
        return redirect(to("embedded.home"))
    if attempt.state == "verified":
        return confirm_page(
            attempt, "embedded.change_connection_confirm", "embedded.change_connection_cancel"
        )
    if attempt.state in ("failed", "cancelled"):
        values = {"organization_id": str(attempt.organization_id), "api_key": ""}
        notice = cancelled_text() if attempt.state == "cancelled" else None
        return change_page(values, {}, failure=attempt.message, notice=notice)
    return render_template("embedded/activation_progress.html", attempt=attempt)


@bp.post("/dinero-connection/<attempt_id>/confirm")
def change_connection_confirm(attempt_id: str):
    if not g.connection.activated:
        return page_error(_("Activate the integration before changing its Dinero connection."), 409)
    get_attempt(attempt_id, g.connection.id, CHANGE) or abort(404)
    if confirm_attempt(attempt_id, g.connection, CHANGE, actor()):
        return redirect(to("embedded.home"), 303)
    return redirect(to("embedded.change_connection_progress", attempt_id=attempt_id), 303)


@bp.post("/dinero-connection/<attempt_id>/cancel")
def change_connection_cancel(attempt_id: str):
    get_attempt(attempt_id, g.connection.id, CHANGE) or abort(404)
    cancel_attempt(attempt_id, g.connection.id, CHANGE)
    return redirect(to("embedded.change_connection_progress", attempt_id=attempt_id), 303)


@bp.get("/dinero-connection/<attempt_id>/status")
def change_connection_status(attempt_id: str):
    return _status(attempt_id, CHANGE)
