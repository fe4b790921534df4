"""``POST /webhooks/rackbeat``: no external call happens inside this request."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import jsonify
from flask import request
from pydantic import ValidationError

from rackdinero_app import jobs
from rackdinero_app.catalogue_cache import forget_in_use
from rackdinero_app.extensions import db
from rackdinero_app.install import manifest
from rackdinero_app.install.service import uninstall
from rackdinero_app.models import Connection
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.transfers import rows
from rackdinero_app.webhooks import bp
from rackdinero_app.webhooks.schemas import WebhookDelivery

UNINSTALLED = "plugin.uninstalled"
# Credentials are gone; a late or repeated delivery changes nothing.
IGNORED = {"status": "ignored", "reason": "the app is uninstalled for this account"}, 200


def refuse(status: int, message: str):
    return jsonify(error=message), status


@bp.post("/rackbeat")
def receive():
    event = request.headers.get("Rackbeat-Webhook-Event", "")
    token = request.headers.get("Rackbeat-Webhook-Token", "")
    try:
        account_id = int(request.headers.get("Rackbeat-Account-Id", ""))
    except ValueError:
        return refuse(400, "The Rackbeat-Account-Id header is missing or not a number.")
    if event not in manifest.webhook_events():
        return refuse(400, f"The event {event!r} is not one this app subscribes to.")

    connection = db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == account_id)
    )
    if connection is None:
        return refuse(404, "No installation exists for this Rackbeat account.")
    if connection.state == ConnectionState.UNINSTALLED:
        return IGNORED

    expected = db.session.scalar(
        sa.select(WebhookSubscription.token).where(
            WebhookSubscription.connection_id == connection.id,
            WebhookSubscription.event == event,
        )
    )
    if expected is None or not hmac.compare_digest(expected.encode(), token.encode()):
        return refuse(401, "The webhook token is not valid for this account and event.")

    try:
        delivery = WebhookDelivery.model_validate_json(request.get_data())
    except ValidationError as error:
        return refuse(400, f"The webhook body is not valid: {problems(error)}")
    if delivery.event is not None and delivery.event != event:
        return refuse(400, "The body's event does not match the Rackbeat-Webhook-Event header.")

    body = delivery.model_dump(mode="json", exclude_none=True)
    inbox, created = rows.receive_webhook(
        connection.id, event, str(delivery.key), body, handled=event == UNINSTALLED
    )
    if not created:
        # An identical notice still waits for its job, whose read of the record sees this change.
        return jsonify(status="duplicate"), 200

    if event == UNINSTALLED:
        return uninstall_once(connection)
    db.session.commit()
    forget_in_use(connection.id, event)  # the settings pages read the units/layouts in use again
    jobs.enqueue_inbox_event(inbox.id)
    return jsonify(status="accepted", inbox_event=inbox.id), 202


def problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
    )


def uninstall_once(connection: Connection):
    """An uninstall notice's row does not wait (the work is done here), so two copies arriving
    together are both new rows; the connection, read again under a row lock after the row is
    written, tells the later copy that the first one has uninstalled already."""
    db.session.refresh(connection, with_for_update=True)
    if connection.state == ConnectionState.UNINSTALLED:
        db.session.rollback()
        return IGNORED
    uninstall(connection, reason="plugin.uninstalled webhook from Rackbeat")
    return jsonify(status="uninstalled"), 200
