"""One installed Rackbeat account and its credentials for both systems."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app.models.base import Base
from rackdinero_app.models.base import ConnectionScoped
from rackdinero_app.models.base import EncryptedText
from rackdinero_app.models.base import TimestampMixin
from rackdinero_app.models.base import UTCDateTime
from rackdinero_app.models.base import enum_column
from rackdinero_app.models.enums import ConnectionState


class Connection(TimestampMixin, Base):
    """A Rackbeat account that installed the app (one per account; a reinstall reuses it)."""

    __tablename__ = "connections"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    rackbeat_account_id: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, unique=True)
    rackbeat_company_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    state: orm.Mapped[ConnectionState] = orm.mapped_column(
        enum_column(ConnectionState), default=ConnectionState.INSTALLED, index=True
    )

    rackbeat_access_token: orm.Mapped[str | None] = orm.mapped_column(EncryptedText)
    rackbeat_refresh_token: orm.Mapped[str | None] = orm.mapped_column(EncryptedText)
    rackbeat_token_expires_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    # How Rackbeat installed the app: "oauth" (catalogue OAuth, contract A) or "integration"
    # (Rackbeat's integration request, contract B).
    rackbeat_contract: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), default="oauth", server_default="oauth"
    )
    # Contract B: the secret in the settings URL registered with Rackbeat for this connection.
    settings_secret: orm.Mapped[str | None] = orm.mapped_column(EncryptedText)

    dinero_organization_id: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    dinero_organization_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    dinero_api_key: orm.Mapped[str | None] = orm.mapped_column(EncryptedText)
    # How the connection signs in to Dinero: "api_key" (the article's) or "visma_connect".
    dinero_sign_in: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), default="api_key", server_default="api_key"
    )
    dinero_refresh_token: orm.Mapped[str | None] = orm.mapped_column(EncryptedText)
    # When Dinero refused the stored sign-in (a revoked Visma Connect grant): "sign in again".
    dinero_sign_in_lost_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)

    installed_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    activated_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    uninstalled_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)

    webhook_subscriptions: orm.Mapped[list[WebhookSubscription]] = orm.relationship(
        back_populates="connection", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:  # never shows a secret
        return f"<Connection {self.id} rackbeat={self.rackbeat_account_id} {self.state}>"

    @property
    def activated(self) -> bool:
        """Connected to Dinero; transfers run, or wait while support has paused them."""
        return self.state in (ConnectionState.ACTIVE, ConnectionState.PAUSED)

    def forget_credentials(self) -> None:
        """Drop every stored secret (I4): tokens, API key and webhook tokens."""
        self.rackbeat_access_token = None
        self.rackbeat_refresh_token = None
        self.rackbeat_token_expires_at = None
        self.dinero_api_key = None
        self.dinero_refresh_token = None
        self.settings_secret = None
        self.webhook_subscriptions.clear()


class WebhookSubscription(ConnectionScoped, TimestampMixin, Base):
    """A webhook registered in Rackbeat for a connection, with the token Rackbeat signs with."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (sa.UniqueConstraint("connection_id", "event"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    event: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    rackbeat_webhook_id: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    token: orm.Mapped[str] = orm.mapped_column(EncryptedText)

    connection: orm.Mapped[Connection] = orm.relationship(back_populates="webhook_subscriptions")
