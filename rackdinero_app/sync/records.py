"""What the database already knows about a page of items: which this run has handled, and
which Dinero records or Rackbeat records are linked already (``EntityLink``). One query per
page or per lookup; nothing is kept beyond the page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import EntityLink
from rackdinero_app.models import SyncRecord
from rackdinero_app.models import SyncRun
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.sync.rules import Item


def handled(run_id: int, items: Iterable[Item]) -> set[tuple[EntityKind, str]]:
    """The items of a page this run has a record of (handled before a crash or a slice end)."""
    guids = {item.guid for item in items}
    if not guids:
        return set()
    rows = db.session.execute(
        sa.select(SyncRecord.kind, SyncRecord.dinero_guid).where(
            SyncRecord.sync_run_id == run_id, SyncRecord.dinero_guid.in_(guids)
        )
    ).all()
    return {(kind, guid) for kind, guid in rows}


def linked_guids(connection_id: int, items: Iterable[Item]) -> dict[tuple[EntityKind, str], str]:
    """(kind, Dinero guid) → the Rackbeat key it is linked to, for the items of a page."""
    guids = {item.guid for item in items}
    if not guids:
        return {}
    rows = db.session.execute(
        sa.select(EntityLink.kind, EntityLink.dinero_guid, EntityLink.rackbeat_key).where(
            EntityLink.connection_id == connection_id, EntityLink.dinero_guid.in_(guids)
        )
    ).all()
    return {(kind, guid): key for kind, guid, key in rows}


def linked_keys(connection_id: int, kind: EntityKind, keys: Iterable[str]) -> dict[str, str]:
    """Rackbeat key → the Dinero guid it is linked to, for the keys given."""
    keys = set(keys)
    if not keys:
        return {}
    rows = db.session.execute(
        sa.select(EntityLink.rackbeat_key, EntityLink.dinero_guid).where(
            EntityLink.connection_id == connection_id,
            EntityLink.kind == kind,
            EntityLink.rackbeat_key.in_(keys),
        )
    ).all()
    return dict(rows)


def done_reading() -> None:
    """End the read transaction before calling out: no lock or snapshot is held while
    Rackbeat answers."""
    db.session.commit()


def run_started_at(run_id: int) -> datetime:
    """When the run was started (its first pass began then)."""
    started = db.session.scalar(sa.select(SyncRun.started_at).where(SyncRun.id == run_id))
    return started or utcnow()
