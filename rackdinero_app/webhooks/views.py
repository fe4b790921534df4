"""``POST /webhooks/rackbeat``: no external call happens inside this request, but for the
uninstall notice, which Rackbeat confirms before any credential is deleted.

An unknown account, an uninstalled one and a wrong token get one and the same answer, so the
endpoint tells no one which accounts have the app. Bodies are bounded well below the app's
own limit: a notice is a key and a few names.
"""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import current_app
from flask import jsonify
from flask import request
from pydantic import ValidationError

from rackdinero_app import jobs
from rackdinero_app.catalogue_cache import forget_in_use
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.extensions import db
from rackdinero_app.install import manifest
from rackdinero_app.install.service import rackbeat_confirms_uninstall
from rackdinero_app.install.service import uninstall
from rackdinero_app.models import Connection
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.transfers import rows
from rackdinero_app.webhooks import bp
from rackdinero_app.webhooks.schemas import WebhookDelivery

UNINSTALLED = "plugin.uninstalled"
# A copy of an uninstall notice that another copy has just carried out.
IGNORED = {"status": "ignored", "reason": "the app is uninstalled for this account"}, 200
NOT_ACCEPTED = "The webhook token is not valid for this account and event."


def refuse(status: int, message: str):
    return jsonify(error=message), status


def not_accepted(account_id: int, why: str):
    """The one answer for an unknown account, an uninstalled one and a wrong token; the log
    (never the answer) says which it was."""
    current_app.logger.info("Webhook for account %s not accepted: %s", account_id, why)
    return refuse(401, NOT_ACCEPTED)


@bp.before_request
def bound_the_body():
    request.max_content_length = current_app.config["WEBHOOK_MAX_CONTENT_LENGTH"]


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

    # One query for what the check needs: never the whole connection, whose secrets would
    # be decrypted on every notice.
    found = db.session.execute(
        sa.select(Connection.id, Connection.state, WebhookSubscription.token)
        .outerjoin(
            WebhookSubscription,
            sa.and_(
                WebhookSubscription.connection_id == Connection.id,
                WebhookSubscription.event == event,
            ),
        )
        .where(Connection.rackbeat_account_id == account_id)
    ).first()
    if found is None:
        return not_accepted(account_id, "no connection")
    connection_id, state, expected = found
    if state == ConnectionState.UNINSTALLED:
        return not_accepted(account_id, "uninstalled")
    if expected is None or not hmac.compare_digest(expected.encode(), token.encode()):
        return not_accepted(account_id, "wrong token")

    try:
        delivery = WebhookDelivery.model_validate_json(request.get_data())
    except ValidationError as error:
        return refuse(400, f"The webhook body is not valid: {problems(error)}")
    if delivery.event is not None and delivery.event != event:
        return refuse(400, "The body's event does not match the Rackbeat-Webhook-Event header.")

    if event == UNINSTALLED:
        return receive_uninstall(db.session.get(Connection, connection_id), delivery)
    body = delivery.model_dump(mode="json", exclude_none=True)
    inbox, created = rows.receive_webhook(connection_id, event, str(delivery.key), body)
    if not created:
        # An identical notice still waits for its job, whose read of the record sees this change.
        return jsonify(status="duplicate"), 200
    inbox_id = inbox.id  # read before the commit expires the row (no reload afterwards)
    db.session.commit()
    forget_in_use(connection_id, event)  # the settings pages read the units/layouts in use again
    jobs.enqueue_inbox_event(inbox_id)
    return jsonify(status="accepted", inbox_event=inbox_id), 202


def receive_uninstall(connection: Connection, delivery: WebhookDelivery):
    """Rackbeat confirms it first; then the notice is recorded as handled and carried out."""
    if (refused := unconfirmed_uninstall(connection)) is not None:
        return refused
    body = delivery.model_dump(mode="json", exclude_none=True)
    _, created = rows.receive_webhook(
        connection.id, UNINSTALLED, str(delivery.key), body, handled=True
    )
    if not created:
        return jsonify(status="duplicate"), 200
    return uninstall_once(connection)


def problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
    )


def unconfirmed_uninstall(connection: Connection):
    """Refuse an uninstall notice that Rackbeat does not confirm (its token for the app still
    works), or cannot confirm now (Rackbeat retries the notice); None when it confirms. Asked
    before any row is locked or written: a token refresh on the way commits on its own."""
    try:
        confirmed = rackbeat_confirms_uninstall(connection)
    except ClientError as error:
        current_app.logger.warning(
            "Uninstall of connection %s not confirmed, Rackbeat unreachable: %s",
            connection.id,
            error,
        )
        return refuse(503, "Rackbeat could not confirm the uninstall now; send it again later.")
    if confirmed:
        return None
    current_app.logger.warning(
        "Uninstall notice for connection %s refused: Rackbeat still accepts its token",
        connection.id,
    )
    return refuse(409, "Rackbeat says the app is still installed for this account.")


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
