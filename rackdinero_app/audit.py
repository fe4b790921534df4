"""The audit trail: every change to a connection, by whom, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ActorType


def record(
    connection: Connection | None,
    actor_type: ActorType,
    actor: str,
    action: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (it commits with the change it records)."""
    entry = AuditEntry(
        connection_id=connection.id if connection else None,
        actor_type=actor_type,
        actor=actor,
        action=action,
        reason=reason,
        details=details or {},
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class Staff:
    """A support operator acting on a customer's connection, with the reason they gave."""

    email: str
    reason: str


def name_of(actor: str | Staff) -> str:
    return actor.email if isinstance(actor, Staff) else actor


def record_step(
    connection: Connection, actor: str | Staff, action: str, details: dict[str, Any]
) -> AuditEntry:
    """Audit a step the customer (a Rackbeat user, by name) or support (``Staff``) took."""
    if isinstance(actor, Staff):
        return record(
            connection, ActorType.STAFF, actor.email, action, reason=actor.reason, details=details
        )
    return record(connection, ActorType.RACKBEAT_USER, actor, action, details=details)
