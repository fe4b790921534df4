"""What installing and uninstalling do to a connection, apart from any web request.

Both install contracts end here: ``complete_install`` (A: the OAuth callback's tokens) and
``complete_integration`` (B: the token of an accepted integration request) share one upsert of
the connection, keyed by Rackbeat's ``user_account.id``, and one registration of webhooks.
"""

from __future__ import annotations

import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from rackdinero_app.audit import record
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.rackbeat_tokens import INTEGRATION
from rackdinero_app.clients.rackbeat_tokens import OAUTH
from rackdinero_app.clients.rackbeat_tokens import AcceptedIntegration
from rackdinero_app.clients.rackbeat_tokens import token_expiry
from rackdinero_app.clients.tokens import MemoryTokenStore
from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import db
from rackdinero_app.install import manifest
from rackdinero_app.models import Connection
from rackdinero_app.models import WebhookSubscription
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.messages import Message

# Contract B's settings page: Rackbeat frames this URL as it is, so the secret in it is the only
# proof that the request comes from Rackbeat (embedded/settings_link.py checks it).
SETTINGS_LINK = "/embedded/connections/{connection_id}/{secret}"
SETTINGS_SECRET_BYTES = 32


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
    """Contract A: upsert the connection for the account the tokens belong to, then register
    the settings URL and the webhooks (each token stored encrypted). A reinstall reuses the
    row."""
    pair = token_pair(token)
    client = install_client(pair, OAUTH)
    me = client.get_self()
    if int(me["user_account"]["id"]) != expected_account_id:
        raise InstallRefused(
            _(
                "The Rackbeat account that approved the installation is not the one that "
                "started it. Start the installation again from Rackbeat's Apps page."
            )
        )
    connection, reinstall = upsert_connection(me, pair, OAUTH)
    client.set_settings_url(manifest.slug(), manifest.absolute_url("settings_url"))
    register_webhooks(client, connection)
    record_install(connection, me, reinstall)
    db.session.commit()
    return connection


def complete_integration(accepted: AcceptedIntegration) -> tuple[Connection, dict[str, Any]]:
    """Contract B: the token of an accepted integration request. Upsert the connection, give it
    a new settings secret (a reinstall makes the old settings URL useless), register that URL
    and the webhooks. Returns the connection and ``/api/self``'s answer."""
    lifetime = timedelta(days=float(current_app.config["RACKBEAT_TOKEN_REPLACE_DAYS"]))
    pair = TokenPair(accepted.access_token, None, token_expiry(lifetime))
    client = install_client(pair, INTEGRATION)
    me = client.get_self()
    connection, reinstall = upsert_connection(me, pair, INTEGRATION)
    connection.settings_secret = secrets.token_urlsafe(SETTINGS_SECRET_BYTES)
    client.set_settings_url(accepted.app_slug, settings_link(connection))
    register_webhooks(client, connection)
    record_install(connection, me, reinstall)
    db.session.commit()
    return connection, me


def install_client(pair: TokenPair, contract: str) -> RackbeatClient:
    """A client holding a just-obtained token (nothing is stored yet, so no refresh)."""
    return RackbeatClient.from_config(
        current_app.config, MemoryTokenStore("install", pair), contract=contract
    )


def upsert_connection(
    me: dict[str, Any], pair: TokenPair, contract: str
) -> tuple[Connection, bool]:
    """The one place a connection is created or taken up again, keyed by ``user_account.id``;
    returns it (flushed) and whether it existed."""
    account = me["user_account"]
    account_id = int(account["id"])
    connection = db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == account_id)
    )
    reinstall = connection is not None
    if connection is None:
        connection = Connection(rackbeat_account_id=account_id)
        db.session.add(connection)
    connection.rackbeat_company_name = account.get("company_name")
    connection.rackbeat_contract = contract
    connection.rackbeat_access_token = pair.access_token
    connection.rackbeat_refresh_token = pair.refresh_token
    connection.rackbeat_token_expires_at = pair.expires_at
    connection.settings_secret = None
    connection.installed_at = utcnow()
    connection.uninstalled_at = None
    if connection.state == ConnectionState.UNINSTALLED or not reinstall:
        connection.state = ConnectionState.INSTALLED
    db.session.flush()
    return connection, reinstall


def settings_link(connection: Connection) -> str:
    """Contract B's settings URL for ``connection``, on this deployment's public base URL."""
    path = SETTINGS_LINK.format(connection_id=connection.id, secret=connection.settings_secret)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def rackbeat_settings_page(slug: str) -> str:
    """Rackbeat's Settings > Apps > <app> page, where the app's settings show in an iframe."""
    base = current_app.config["RACKBEAT_BASE_URL"].rstrip("/")
    return f"{base}/settings/apps/{quote(slug, safe='')}"


def installer(me: dict[str, Any]) -> str:
    """Who installed, for the audit trail: the Rackbeat user of ``/api/self``."""
    user = me.get("user") or {}
    return user.get("email") or str(user.get("id", "unknown"))


def record_install(connection: Connection, me: dict[str, Any], reinstall: bool) -> None:
    record(
        connection,
        ActorType.RACKBEAT_USER,
        installer(me),
        "reinstalled" if reinstall else "installed",
        details={"contract": connection.rackbeat_contract},
    )


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


def rackbeat_confirms_uninstall(connection: Connection) -> bool:
    """Whether Rackbeat has really removed the app: it revokes an uninstalled app's tokens, so
    ``/api/self`` with the connection's token (refreshed first if it expired, as any call
    does) is refused (401/403). While it still answers, the app is installed and a notice
    saying otherwise did not come from Rackbeat. Raises ``ClientError`` when Rackbeat cannot
    say (unreachable, 5xx): nothing should be deleted on a guess."""
    try:
        rackbeat_client(connection).get_self()
    except AuthFailed:
        return True
    return False


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
