"""Entity links: which Dinero object a Rackbeat record became, unique in both directions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from rackdinero_app.database import insert_or_existing
from rackdinero_app.extensions import db
from rackdinero_app.models import EntityLink
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers.errors import LinkConflict


def find_link(connection_id: int, kind: EntityKind, rackbeat_key: str) -> EntityLink | None:
    return db.session.scalar(
        sa.select(EntityLink).where(
            EntityLink.connection_id == connection_id,
            EntityLink.kind == kind,
            EntityLink.rackbeat_key == str(rackbeat_key),
        )
    )


def owner_of(connection_id: int, kind: EntityKind, dinero_guid: str) -> EntityLink | None:
    """The link that already gives this Dinero object to a Rackbeat record, if any."""
    return db.session.scalar(
        sa.select(EntityLink).where(
            EntityLink.connection_id == connection_id,
            EntityLink.kind == kind,
            EntityLink.dinero_guid == dinero_guid,
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

    If another worker linked the record first, its link wins and is returned. A Dinero object
    that already stands for another Rackbeat record raises ``LinkConflict``."""
    try:
        link, _ = insert_or_existing(
            EntityLink(
                connection_id=connection_id,
                kind=kind,
                rackbeat_key=str(rackbeat_key),
                dinero_guid=dinero_guid,
                dinero_number=dinero_number,
            ),
            lambda: find_link(connection_id, kind, rackbeat_key),
        )
    except IntegrityError:
        owner = owner_of(connection_id, kind, dinero_guid)
        if owner is None:
            raise
        raise LinkConflict(kind, str(rackbeat_key), owner.rackbeat_key) from None
    db.session.commit()
    return link
