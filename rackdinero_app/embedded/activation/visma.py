"""Activation and "change Dinero connection" with Visma Connect, seen from Rackbeat's iframe.

The iframe starts a pending sign-in (``dinero_sign_in``) and shows a button that opens Visma's
sign-in in a new window; meanwhile it polls the sign-in, as the API-key attempt's progress page
does, and shows the outcome. When the user has chosen a Pro company, the window asks them to
confirm which Rackbeat company is connected to it (``visma_confirm``); only then do the same
steps as the API-key path store it, and the transfers that failed because the earlier sign-in
was revoked are sent again.
"""

from __future__ import annotations

from flask import abort
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _

from rackdinero_app.dinero_sign_in import flow
from rackdinero_app.dinero_sign_in import pending as pending_store
from rackdinero_app.dinero_sign_in.messages import message
from rackdinero_app.dinero_sign_in.pending import PendingSignIn
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.activation import visma_confirm
from rackdinero_app.embedded.activation.attempts import ACTIVATION
from rackdinero_app.embedded.activation.attempts import CHANGE
from rackdinero_app.embedded.activation.views import after_activation
from rackdinero_app.embedded.activation.views import change_page
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState


@bp.post("/visma-sign-in")
def start_visma_sign_in():
    """Begin a sign-in for activation, or for a change (also "sign in again")."""
    purpose = request.form.get("purpose")
    if not flow.enabled() or purpose not in (ACTIVATION, CHANGE):
        abort(404)
    if purpose == CHANGE and not g.connection.activated:
        return page_error(_("Activate the integration before changing its Dinero connection."), 409)
    current = g.connection.dinero_organization_id if purpose == CHANGE else None
    pending = flow.begin(
        purpose,
        str(g.connection.id),
        actor(),
        str(get_locale()),
        current_organization_id=current,
    )
    return redirect(to("embedded.visma_sign_in", sign_in_id=pending.id), 303)


def _own(sign_in_id: str) -> PendingSignIn:
    """The sign-in, if this connection started it from these pages; else 404."""
    pending = pending_store.get(sign_in_id)
    if (
        pending is None
        or pending.purpose not in (ACTIVATION, CHANGE)
        or pending.subject != str(g.connection.id)
    ):
        abort(404)
    return pending


@bp.get("/visma-sign-in/<sign_in_id>")
def visma_sign_in(sign_in_id: str):
    pending = _own(sign_in_id)
    answer = _answer(pending)
    if answer == visma_confirm.CONFIRMED:
        return (
            after_activation() if pending.purpose == ACTIVATION else redirect(to("embedded.home"))
        )
    if pending.status == "failed" or answer in (visma_confirm.CANCELLED, None):
        failure, notice = _why_not(pending, answer)
        if pending.purpose == CHANGE:
            values = {"organization_id": str(g.connection.dinero_organization_id), "api_key": ""}
            return change_page(values, {}, failure=failure, notice=notice)
        values = {"organization_id": "", "api_key": ""}
        return render_template(
            "embedded/activation.html", errors={}, values=values, failure=failure, notice=notice
        )
    return render_template(
        "embedded/activation_visma.html",
        pending=pending,
        start_url=flow.start_url(pending),
        awaiting=answer == visma_confirm.AWAITING,
    )


def _answer(pending: PendingSignIn) -> str | None:
    """For a sign-in Visma verified: the window's answer (awaiting, confirmed, cancelled; None
    once it expired). Before that: awaiting, as the sign-in itself is."""
    if pending.status != "succeeded":
        return visma_confirm.AWAITING
    confirmation = visma_confirm.get(pending.id)
    return confirmation.state if confirmation else None


def _why_not(pending: PendingSignIn, answer: str | None) -> tuple[str | None, str | None]:
    """(failure, notice) for a sign-in that saved nothing."""
    if pending.status == "failed":
        return message(pending.failure, pending.failed_organization_id), None
    if answer == visma_confirm.CANCELLED:
        return None, visma_confirm.cancelled_text()
    return message("expired"), None


@bp.get("/visma-sign-in/<sign_in_id>/status")
def visma_sign_in_status(sign_in_id: str):
    pending = _own(sign_in_id)
    failure = message(pending.failure, pending.failed_organization_id) if pending.failure else None
    finished = pending.finished and _answer(pending) != visma_confirm.AWAITING
    return jsonify(state=pending.status, finished=finished, message=failure)


def _connection(pending: PendingSignIn) -> Connection:
    connection = db.session.get(Connection, int(pending.subject))
    if connection is None or connection.state == ConnectionState.UNINSTALLED:
        raise flow.SignInRefused("not_installed")
    return connection


def _activated(pending: PendingSignIn, verified: flow.Verified) -> str:
    """Visma verified a Pro company: the window asks to confirm before anything is saved."""
    return visma_confirm.hold(pending, verified, _connection(pending))


def _changed(pending: PendingSignIn, verified: flow.Verified) -> str:
    connection = _connection(pending)
    if not connection.activated:
        raise flow.SignInRefused("not_active")
    return visma_confirm.hold(pending, verified, connection)


flow.register(ACTIVATION, _activated)
flow.register(CHANGE, _changed)
