"""The vendor's support staff and the audit trail of every action taken on a connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app.models.base import Base
from rackdinero_app.models.base import TimestampMixin
from rackdinero_app.models.base import UTCDateTime
from rackdinero_app.models.base import enum_column
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import StaffRole


class StaffUser(TimestampMixin, Base):
    __tablename__ = "staff_users"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    email: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    password_hash: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    role: orm.Mapped[StaffRole] = orm.mapped_column(
        enum_column(StaffRole), default=StaffRole.SUPPORT
    )
    is_active: orm.Mapped[bool] = orm.mapped_column(default=True)


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
