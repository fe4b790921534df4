"""Declarative base, naming convention, and the column types every model shares."""

from __future__ import annotations

import enum
import sqlite3
from datetime import UTC
from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy import orm

from rackdinero_app import crypto

# Deterministic constraint names, so migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@sa.event.listens_for(sa.engine.Engine, "connect")
def _enforce_sqlite_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked per connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use rackdinero_app.models.base.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EncryptedText(sa.types.TypeDecorator):
    """Text that is stored encrypted (MultiFernet) and read back as plaintext."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else crypto.encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else crypto.decrypt(value)


def enum_column(enum_class: type[enum.Enum]) -> sa.Enum:
    """A portable enum column: a VARCHAR of the member values, no native database type."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum_class),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class ConnectionScoped:
    """A row that belongs to one connection and is deleted with it.

    ``connection_index`` is off for tables whose unique key or composite index already starts
    with ``connection_id``: a second index on the same column would only slow writes."""

    connection_index: ClassVar[bool] = True

    @orm.declared_attr
    def connection_id(cls) -> orm.Mapped[int]:
        return orm.mapped_column(
            sa.ForeignKey("connections.id", ondelete="CASCADE"), index=cls.connection_index
        )


class TimestampMixin:
    created_at: orm.Mapped[datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    updated_at: orm.Mapped[datetime] = orm.mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )


def render_migration_item(type_: str, obj, autogen_context):
    """Autogenerate renders our column types as their plain SQL type, so migrations never
    import application code."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False
