"""Clients for a connection: its Rackbeat tokens and its Dinero sign-in (an API key, or a
Visma Connect refresh token) live on the encrypted connection row."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from rackdinero_app.clients import http
from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.clients.dinero.auth import VismaConnectTokens
from rackdinero_app.clients.dinero.auth import access_token_key
from rackdinero_app.clients.dinero.auth import remember_access_token
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.ratelimit import RateLimiter
from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.clients.visma_connect import Tokens
from rackdinero_app.clients.visma_connect import VismaConnect
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models.base import utcnow

API_KEY = "api_key"
VISMA_CONNECT = "visma_connect"


class ConnectionTokenStore:
    """Reads the pair as stored now and saves a new pair in its own committed transaction."""

    def __init__(self, connection_id: int) -> None:
        self.connection_id = connection_id
        self.key = f"connection-{connection_id}"

    def _row(self):
        return sa.select(
            Connection.rackbeat_access_token,
            Connection.rackbeat_refresh_token,
            Connection.rackbeat_token_expires_at,
        ).where(Connection.id == self.connection_id)

    def load(self) -> TokenPair:
        with db.engine.connect() as connection:
            access, refresh, expires_at = connection.execute(self._row()).one()
        return TokenPair(access or "", refresh, expires_at)

    def save(self, pair: TokenPair) -> None:
        with db.engine.begin() as connection:
            connection.execute(
                sa.update(Connection)
                .where(Connection.id == self.connection_id)
                .values(
                    rackbeat_access_token=pair.access_token,
                    rackbeat_refresh_token=pair.refresh_token,
                    rackbeat_token_expires_at=pair.expires_at,
                )
            )


def rackbeat_limiter(rackbeat_account_id: int) -> RateLimiter:
    """The Rackbeat account's share of the rate limit, one bucket for every process."""
    config = current_app.config
    return RateLimiter(
        rq.redis,
        f"rackdinero:rackbeat:ratelimit:{rackbeat_account_id}",
        limit=int(config["RACKBEAT_RATE_LIMIT"]),
        window=float(config["RACKBEAT_RATE_WINDOW"]),
        budget_code="rackbeat_rate_limited",
    )


def rackbeat_client(connection: Connection) -> RackbeatClient:
    """The connection's client; its token is refreshed as its install contract says."""
    return RackbeatClient.from_config(
        current_app.config,
        ConnectionTokenStore(connection.id),
        contract=connection.rackbeat_contract,
        redis=rq.redis,
        limiter=rackbeat_limiter(connection.rackbeat_account_id),
    )


def dinero_client(organization_id: int, api_key: str) -> DineroClient:
    """A client that signs in with an API key (also one not stored yet, to verify it)."""
    return DineroClient.from_config(
        current_app.config, organization_id, api_key, rq.redis, sealer=crypto
    )


def connection_dinero_client(connection: Connection) -> DineroClient:
    """The connection's Dinero client, signed in the way the connection was (API key or Visma
    Connect)."""
    if connection.dinero_sign_in != VISMA_CONNECT:
        return dinero_client(connection.dinero_organization_id, connection.dinero_api_key)
    return dinero_client_with(connection.dinero_organization_id, visma_tokens(connection.id))


def dinero_client_with(organization_id: int, tokens) -> DineroClient:
    """A client that gets its access tokens from ``tokens`` (a ``TokenSource``)."""
    client = dinero_client(organization_id, "")
    # DineroClient builds the API-key grant itself; this sign-in replaces it.
    client.transport.tokens = tokens
    return client


def visma_connect() -> VismaConnect:
    """The app's registration at Visma Connect (``VISMA_CONNECT_*``)."""
    config = current_app.config
    return VismaConnect(
        config["VISMA_CONNECT_URL"],
        config["VISMA_CONNECT_CLIENT_ID"],
        config["VISMA_CONNECT_CLIENT_SECRET"],
        timeout=(http.CONNECT_TIMEOUT, float(config.get("DINERO_READ_TIMEOUT", http.READ_TIMEOUT))),
    )


def visma_tokens(connection_id: int) -> VismaConnectTokens:
    return VismaConnectTokens(
        ConnectionSignInStore(connection_id), visma_connect(), redis=rq.redis, sealer=crypto
    )


# A verified Dinero sign-in: an API key, or the tokens of a Visma Connect sign-in (its refresh
# token is what is kept).
DineroCredentials = str | Tokens


def set_dinero_sign_in(
    connection: Connection,
    organization_id: int,
    organization_name: str | None,
    credentials: DineroCredentials,
) -> None:
    """Store a verified sign-in on the connection (the caller commits) and drop the other
    method's secret; a new sign-in is never "lost"."""
    connection.dinero_organization_id = organization_id
    connection.dinero_organization_name = organization_name
    connection.dinero_sign_in_lost_at = None
    if isinstance(credentials, Tokens):
        connection.dinero_sign_in = VISMA_CONNECT
        connection.dinero_refresh_token = credentials.refresh_token
        connection.dinero_api_key = None
    else:
        connection.dinero_sign_in = API_KEY
        connection.dinero_api_key = credentials
        connection.dinero_refresh_token = None


def share_dinero_sign_in(connection_id: int, credentials: DineroCredentials) -> None:
    """After the commit: the access token a Visma sign-in came with serves every process until
    it expires (replacing one of an earlier grant); an API key leaves no Visma token behind."""
    store_key = ConnectionSignInStore(connection_id).key
    if isinstance(credentials, Tokens):
        remember_access_token(rq.redis, store_key, crypto, credentials)
    else:
        rq.redis.delete(access_token_key(store_key))


class ConnectionSignInStore:
    """A connection's Visma Connect refresh token, read as stored now; each write commits in
    its own transaction and only replaces the token it was read as, so a refresh that ends
    after the user signed in again never overwrites (or marks lost) the new sign-in."""

    def __init__(self, connection_id: int) -> None:
        self.connection_id = connection_id
        self.key = f"connection-{connection_id}"
        self._loaded: str | None = None

    def _current(self, connection, *, for_update: bool = False) -> tuple[str | None, object]:
        query = sa.select(Connection.dinero_refresh_token, Connection.dinero_sign_in_lost_at).where(
            Connection.id == self.connection_id
        )
        row = connection.execute(query.with_for_update() if for_update else query).one_or_none()
        return (None, None) if row is None else (row[0], row[1])

    def load(self) -> str | None:
        with db.engine.connect() as connection:
            refresh_token, lost_at = self._current(connection)
        self._loaded = None if lost_at is not None else refresh_token
        return self._loaded

    def _replace(self, **values) -> None:
        with db.engine.begin() as connection:
            refresh_token, lost_at = self._current(connection, for_update=True)
            if lost_at is None and refresh_token is not None and refresh_token == self._loaded:
                connection.execute(
                    sa.update(Connection)
                    .where(Connection.id == self.connection_id)
                    .values(**values)
                )

    def save(self, refresh_token: str) -> None:
        self._replace(dinero_refresh_token=refresh_token)
        self._loaded = refresh_token

    def lost(self) -> None:
        self._replace(dinero_sign_in_lost_at=utcnow())
