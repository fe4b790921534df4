"""Clients for a connection: its Rackbeat tokens live on the encrypted connection row."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.ratelimit import RateLimiter
from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection


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
    config = current_app.config
    return RackbeatClient(
        config["RACKBEAT_BASE_URL"],
        ConnectionTokenStore(connection.id),
        client_id=config["RACKBEAT_CLIENT_ID"],
        client_secret=config["RACKBEAT_CLIENT_SECRET"],
        redis=rq.redis,
        limiter=rackbeat_limiter(connection.rackbeat_account_id),
    )


def dinero_client(organization_id: int, api_key: str) -> DineroClient:
    return DineroClient.from_config(current_app.config, organization_id, api_key, rq.redis)
