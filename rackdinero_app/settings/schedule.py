"""When the hourly Dinero → Rackbeat invoice import runs (C5): every hour at 13 minutes past."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

IMPORT_MINUTE = 13
# The same schedule for RQ's cron scheduler (tasks/cron.py), which reads it in UTC.
HOURLY_IMPORT_CRON = f"{IMPORT_MINUTE} * * * *"


def next_hourly_import(now: datetime) -> datetime:
    """The first run strictly after ``now`` (13:13, 14:13, …), in ``now``'s time zone."""
    candidate = now.replace(minute=IMPORT_MINUTE, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(hours=1)
