"""The vendor's support staff and the audit trail of every action taken on a connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app.models.base import Base
from rackdinero_app.models.base import EncryptedText
from rackdinero_app.models.base import TimestampMixin
from rackdinero_app.models.base import UTCDateTime
from rackdinero_app.models.base import enum_column
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import StaffRole


class StaffUser(TimestampMixin, Base):
    """A member of the vendor's support staff (created by ``flask support add-staff``).

    The password is an argon2 hash; the TOTP secret is encrypted at rest. A disabled account
    (``disabled_at`` set) cannot sign in, and its open sessions end on their next request.
    """

    __tablename__ = "staff_users"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    email: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    password_hash: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    role: orm.Mapped[StaffRole] = orm.mapped_column(
        enum_column(StaffRole), default=StaffRole.VIEWER
    )
    # A one-time password from the CLI must be replaced at the first sign-in.
    must_change_password: orm.Mapped[bool] = orm.mapped_column(default=True)
    totp_secret: orm.Mapped[str | None] = orm.mapped_column(EncryptedText)
    # The time step of the last accepted code: a code is accepted once, never replayed.
    totp_last_counter: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    last_login_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)
    disabled_at: orm.Mapped[datetime | None] = orm.mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class AuditEntry(Base):
    """Who did what to which connection, why and when. Rows are only ever added."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_connection_created", "connection_id", "created_at"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    connection_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("connections.id", ondelete="SET NULL")
    )
    actor_type: orm.Mapped[ActorType] = orm.mapped_column(enum_column(ActorType))
    actor: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    action: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    reason: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    details: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, default=dict)
    created_at: orm.Mapped[datetime] = orm.mapped_column(UTCDateTime, default=utcnow, index=True)
