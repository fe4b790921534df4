"""Helpers over the database session that several parts of the app share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from rackdinero_app.extensions import db

Row = TypeVar("Row")


def insert_or_existing(row: Row, existing: Callable[[], Row | None]) -> tuple[Row, bool]:
    """Insert ``row``, or, when a unique key says it is there already, return the row that is.

    Returns ``(row, created)``; the new row is flushed, not committed. A conflict rolls the
    session back, so call this first in a unit of work. ``existing`` finds the row that holds
    the key; if it finds none, the conflict was on another key and the error is raised."""
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        found = existing()
        if found is None:
            raise
        return found, False
    return row, True
