"""Which Dinero changes an hourly import lists, and where the next run starts (pure).

- Dinero's ``changesSince`` is inclusive, counts creations, updates and deletions alike, and is
  precise to the second. A run lists from the stored cursor pulled back by ``OVERLAP``: a voucher
  saved in Dinero while the previous run was listing, or stamped by a clock a little behind
  ours, is seen again. Seeing a voucher twice is harmless: each one is one transfer (its
  idempotency key) and one link.
- The first run starts where the import started: when invoices were set to come from Dinero.
  Vouchers created in Dinero before that are not imported (they would take stock out of
  Rackbeat for sales made long ago); the run reports each one it meets.
- The next run starts where this one began listing, but never after a voucher this run could
  not store: the next run lists it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

OVERLAP = timedelta(minutes=5)


def parse_time(value: Any) -> datetime | None:
    """Dinero's UTC times (``2026-11-29T13:13:00Z``, with or without fractions), aware."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def changed_at(voucher: Mapping[str, Any]) -> datetime | None:
    """When Dinero last changed a voucher: created, updated or deleted, whichever is last."""
    moments = [parse_time(voucher.get(name)) for name in ("CreatedAt", "UpdatedAt", "DeletedAt")]
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def created_before(voucher: Mapping[str, Any], import_start: datetime) -> bool:
    """A voucher created in Dinero before the import started (to the second Dinero keeps)."""
    created = parse_time(voucher.get("CreatedAt"))
    return created is not None and created < import_start.replace(microsecond=0)


@dataclass
class Window:
    """One run's window: ``since`` is the changesSince it lists with, ``listed_from`` the
    moment it began listing; vouchers it could not store hold the cursor back."""

    since: datetime
    listed_from: datetime
    unstored: list[datetime] = field(default_factory=list)

    @classmethod
    def open(cls, cursor: datetime | None, import_start: datetime, now: datetime) -> Window:
        """From the stored cursor (the first run: from the import's start), never from before
        the import started, pulled back by the overlap."""
        start = import_start if cursor is None else max(cursor, import_start)
        return cls(since=start - OVERLAP, listed_from=now.replace(microsecond=0))

    def not_stored(self, voucher: Mapping[str, Any]) -> None:
        """This voucher has no transfer yet: the next run must list it again."""
        self.unstored.append(changed_at(voucher) or self.since)

    def next_cursor(self) -> datetime:
        """Where the next run starts: past everything stored, at or before anything not."""
        return min([self.listed_from, *self.unstored])
