"""The chart page (issue 12 item 5): transfers per hour (succeeded, failed, skipped) over the
last 7 days for all connections or, with ``?connection=<id>``, for one, as the app's own SVG.

The same counts are in a table by day (UTC, as the chart's hours), so a screen reader or a
copy into a ticket gets the numbers, not a picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask import request
from markupsafe import Markup

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.support import bp
from rackdinero_app.support import chart
from rackdinero_app.support.auth import staff_required
from rackdinero_app.support.issues_views import connection_url
from rackdinero_app.support.issues_views import problem

MAX_ID = 2**31 - 1  # the id column is a 32-bit integer: larger values are not ids


@dataclass
class Day:
    """One row of the table: a UTC day's counts."""

    day: date | None  # None for the total row
    succeeded: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.succeeded + self.skipped + self.failed


def by_day(series: list[chart.Hour]) -> tuple[list[Day], Day]:
    """The hours summed per day, oldest first, and the total of all of them."""
    days: dict[date, Day] = {}
    total = Day(None)
    for hour in series:
        row = days.setdefault(hour.start.date(), Day(hour.start.date()))
        for target in (row, total):
            target.succeeded += hour.succeeded
            target.skipped += hour.skipped
            target.failed += hour.failed
    return list(days.values()), total


@bp.get("/chart")
@staff_required()
def chart_page():
    raw = request.args.get("connection")
    connection = None
    if raw is not None:
        if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
            return problem(400, "Not a connection", "connection must be a connection's number.")
        connection = db.session.get(Connection, int(raw))
        if connection is None:
            return problem(404, "No such connection", f"There is no connection {raw}.")
    series = chart.transfers_per_hour(connection.id if connection else None)
    days, total = by_day(series)
    return render_template(
        "support/chart.html",
        connection=connection,
        connection_url=connection_url,
        svg=Markup(chart.render_svg(series)),
        days=days,
        total=total,
    )
