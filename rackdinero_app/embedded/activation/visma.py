"""Activation and "change Dinero connection" with Visma Connect, seen from Rackbeat's iframe.

The iframe starts a pending sign-in (``dinero_sign_in``) and shows a button that opens Visma's
sign-in in a new window; meanwhile it polls the sign-in, as the API-key attempt's progress page
does, and shows the outcome. When the user has chosen a Pro company, the same steps as the
API-key path store it (``attempts.activate`` / ``change_credentials``), and the transfers that
failed because the earlier sign-in was revoked are sent again.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _

from rackdinero_app.audit import record
from rackdinero_app.dinero_sign_in import flow
from rackdinero_app.dinero_sign_in import pending as pending_store
from rackdinero_app.dinero_sign_in.messages import message
from rackdinero_app.dinero_sign_in.pending import PendingSignIn
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.activation.attempts import ACTIVATION
from rackdinero_app.embedded.activation.attempts import CHANGE
from rackdinero_app.embedded.activation.attempts import activate
from rackdinero_app.embedded.activation.attempts import change_credentials
from rackdinero_app.embedded.activation.views import after_activation
from rackdinero_app.embedded.activation.views import change_page
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers.messages import CLIENT
from rackdinero_app.transfers.rows import send_again

REVOKED = CLIENT + "dinero_sign_in_revoked"


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
    if pending.status == "succeeded":
        return (
            after_activation() if pending.purpose == ACTIVATION else redirect(to("embedded.home"))
        )
    if pending.status == "failed":
        failure = message(pending.failure, pending.failed_organization_id)
        if pending.purpose == CHANGE:
            values = {"organization_id": str(g.connection.dinero_organization_id), "api_key": ""}
            return change_page(values, {}, failure=failure)
        values = {"organization_id": "", "api_key": ""}
        return render_template(
            "embedded/activation.html", errors={}, values=values, failure=failure
        )
    return render_template(
        "embedded/activation_visma.html", pending=pending, start_url=flow.start_url(pending)
    )


@bp.get("/visma-sign-in/<sign_in_id>/status")
def visma_sign_in_status(sign_in_id: str):
    pending = _own(sign_in_id)
    failure = message(pending.failure, pending.failed_organization_id) if pending.failure else None
    return jsonify(state=pending.status, finished=pending.finished, message=failure)


def _connection(pending: PendingSignIn) -> Connection:
    connection = db.session.get(Connection, int(pending.subject))
    if connection is None or connection.state == ConnectionState.UNINSTALLED:
        raise flow.SignInRefused("not_installed")
    return connection


def _activated(pending: PendingSignIn, verified: flow.Verified) -> None:
    connection = _connection(pending)
    activate(
        connection,
        verified.organization_id,
        verified.organization_name,
        verified.tokens,
        pending.actor,
    )
    send_revoked_again(connection, pending.actor)


def _changed(pending: PendingSignIn, verified: flow.Verified) -> None:
    connection = _connection(pending)
    if not connection.activated:
        raise flow.SignInRefused("not_active")
    change_credentials(
        connection,
        verified.organization_id,
        verified.organization_name,
        verified.tokens,
        pending.actor,
    )
    send_revoked_again(connection, pending.actor)


def send_revoked_again(connection: Connection, who: str) -> int:
    """Queue again every transfer that failed because the Dinero sign-in was revoked: they
    never reached Dinero with a valid sign-in, and now one is there. Returns how many."""
    failed = db.session.scalars(
        sa.select(Transfer.id).where(
            Transfer.connection_id == connection.id,
            Transfer.state == TransferState.FAILED,
            Transfer.message_code == REVOKED,
        )
    ).all()
    sent = [transfer_id for transfer_id in failed if send_again(transfer_id)]
    if sent:
        record(
            connection,
            ActorType.RACKBEAT_USER,
            who,
            "transfers_sent_again_after_sign_in",
            details={"count": len(sent), "transfer_ids": sent[:100]},
        )
        db.session.commit()
    return len(sent)


flow.register(ACTIVATION, _activated)
flow.register(CHANGE, _changed)
