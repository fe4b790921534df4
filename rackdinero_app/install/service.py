"""What installing and uninstalling do to a connection, apart from any web request."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from rackdinero_app.audit import record
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.tokens import MemoryTokenStore
from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.extensions import db
from rackdinero_app.install import manifest
from rackdinero_app.models import Connection
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.messages import Message


class InstallRefused(Exception):
    """The install cannot go on; the message says why in the user's terms."""


def token_pair(token: dict[str, Any]) -> TokenPair:
    expires_at = token.get("expires_at")
    return TokenPair(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token"),
        expires_at=datetime.fromtimestamp(expires_at, UTC) if expires_at else None,
    )


def complete_install(token: dict[str, Any], *, expected_account_id: int) -> Connection:
    """Upsert the connection for the account the tokens belong to, then register the
    settings URL and the webhooks (each token stored encrypted). A reinstall reuses the row."""
    pair = token_pair(token)
    client = RackbeatClient(
        current_app.config["RACKBEAT_BASE_URL"], MemoryTokenStore("install", pair)
    )
    me = client.get_self()
    account = me["user_account"]
    if int(account["id"]) != expected_account_id:
        raise InstallRefused(
            "The Rackbeat account that approved the installation is not the one that "
            "started it. Start the installation again from Rackbeat's Apps page."
        )
    connection = db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == expected_account_id)
    )
    reinstall = connection is not None
    if connection is None:
        connection = Connection(rackbeat_account_id=expected_account_id)
        db.session.add(connection)
    connection.rackbeat_company_name = account.get("company_name")
    connection.rackbeat_access_token = pair.access_token
    connection.rackbeat_refresh_token = pair.refresh_token
    connection.rackbeat_token_expires_at = pair.expires_at
    connection.installed_at = utcnow()
    connection.uninstalled_at = None
    if connection.state == ConnectionState.UNINSTALLED or not reinstall:
        connection.state = ConnectionState.INSTALLED
    db.session.flush()

    client.set_settings_url(manifest.slug(), manifest.absolute_url("settings_url"))
    register_webhooks(client, connection)
    user = me.get("user") or {}
    record(
        connection,
        ActorType.RACKBEAT_USER,
        user.get("email") or str(user.get("id", "unknown")),
        "reinstalled" if reinstall else "installed",
    )
    db.session.commit()
    return connection


def register_webhooks(client: RackbeatClient, connection: Connection) -> None:
    """One webhook per manifest event, pointing at our endpoint. Rackbeat returns a webhook's
    token only when it is created, so any earlier webhook of ours is deleted and made anew."""
    url = manifest.absolute_url("webhook_url")
    for webhook in client.iter_webhooks():
        if webhook.get("url") == url:
            client.delete_webhook(webhook["id"])
    connection.webhook_subscriptions.clear()
    db.session.flush()
    for event in manifest.webhook_events():
        created = client.create_webhook(event, url)
        connection.webhook_subscriptions.append(
            WebhookSubscription(
                event=event, rackbeat_webhook_id=created["id"], token=created["token"]
            )
        )


def uninstall(connection: Connection, reason: str) -> None:
    """Stop every transfer at once and forget all credentials (I4). A job still queued for a
    transfer finds it closed and does nothing."""
    closed = rows.close_open_transfers(
        connection.id, "app_uninstalled", Message.of("app_uninstalled")
    )
    connection.forget_credentials()
    connection.state = ConnectionState.UNINSTALLED
    connection.uninstalled_at = utcnow()
    record(
        connection,
        ActorType.SYSTEM,
        "rackbeat",
        "uninstalled",
        reason=reason,
        details={"transfers_cancelled": closed},
    )
    db.session.commit()
