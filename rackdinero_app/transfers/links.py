"""Entity links: which Dinero object a Rackbeat record became, unique in both directions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from rackdinero_app.extensions import db
from rackdinero_app.models import EntityLink
from rackdinero_app.models.enums import EntityKind


def find_link(connection_id: int, kind: EntityKind, rackbeat_key: str) -> EntityLink | None:
    return db.session.scalar(
        sa.select(EntityLink).where(
            EntityLink.connection_id == connection_id,
            EntityLink.kind == kind,
            EntityLink.rackbeat_key == str(rackbeat_key),
        )
    )


def save_link(
    connection_id: int,
    kind: EntityKind,
    rackbeat_key: str,
    dinero_guid: str,
    dinero_number: str | None = None,
) -> EntityLink:
    """Record the link and commit it at once: the Dinero object exists from this moment.

    If another worker linked the record first, its link wins and is returned."""
    link = EntityLink(
        connection_id=connection_id,
        kind=kind,
        rackbeat_key=str(rackbeat_key),
        dinero_guid=dinero_guid,
        dinero_number=dinero_number,
    )
    db.session.add(link)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find_link(connection_id, kind, rackbeat_key)
        if existing is None:
            raise
        return existing
    return link
