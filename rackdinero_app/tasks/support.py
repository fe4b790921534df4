"""The support alert check (support/alerts.py), declared in ``cron.py`` every 5 minutes."""

from __future__ import annotations

from rackdinero_app.jobs import job
from rackdinero_app.support.alerts import check_and_alert


@job
def alert_support() -> dict[str, int]:
    return check_and_alert()
