"""A connection's audit entries for support: newest first on its page, all of them as CSV.

Exporting is itself audited (``support.audit_exported``, the staff member's e-mail as the
actor): the export leaves the building, viewing the page does not."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa
from flask import Response
from flask import abort
from flask import g

from rackdinero_app import audit
from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ActorType
from rackdinero_app.support import bp
from rackdinero_app.support.auth import staff_required

AUDIT_PAGE_SIZE = 25
CSV_COLUMNS = ("when", "actor type", "actor", "action", "reason", "details")


def _entries(connection_id: int) -> sa.Select:
    return (
        sa.select(AuditEntry)
        .where(AuditEntry.connection_id == connection_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def audit_page(connection_id: int, page: int) -> tuple[list[AuditEntry], bool]:
    """One page of the connection's entries, newest first, and whether older ones follow."""
    rows = db.session.scalars(
        _entries(connection_id).limit(AUDIT_PAGE_SIZE + 1).offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    return list(rows[:AUDIT_PAGE_SIZE]), len(rows) > AUDIT_PAGE_SIZE


def details_json(entry: AuditEntry) -> str:
    return json.dumps(entry.details or {}, sort_keys=True, ensure_ascii=False, default=str)


def as_csv(entries: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            (
                entry.created_at.isoformat(),
                str(entry.actor_type),
                entry.actor,
                entry.action,
                entry.reason or "",
                details_json(entry),
            )
        )
    return out.getvalue()


@bp.get("/connections/<int:connection_id>/audit.csv")
@staff_required()
def audit_csv(connection_id: int):
    connection = db.session.get(Connection, connection_id) or abort(404)
    entries = list(db.session.scalars(_entries(connection.id)))
    body = as_csv(entries)
    audit.record(
        connection,
        ActorType.STAFF,
        g.staff.email,
        "support.audit_exported",
        details={"entries": len(entries)},
    )
    db.session.commit()
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="connection-{connection.id}-audit.csv"'
        },
    )
