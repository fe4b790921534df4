"""Transfers per hour over the last 7 days (issue 12 item 5): the query and its SVG.

**Query.** Finished transfers (succeeded, failed, skipped) are counted in SQL, grouped by hour
and state, so the answer is at most 7 × 24 × 3 rows whatever the volume. The hour is the UTC
hour of ``finished_at`` as text, ``YYYY-MM-DD HH``, written per dialect (``hour_of``):
``strftime`` on SQLite (which stores UTC text), ``to_char(date_trunc(…) AT TIME ZONE 'UTC')``
on PostgreSQL (independent of the session's time zone). Hours without transfers are filled
in with zeros in Python.

**SVG.** ``render_svg`` is pure: stacked bars per hour (succeeded at the bottom, then skipped,
then failed), a line and a label at each day's start, a legend, ``role="img"`` with a title and
a description naming the totals, and every text escaped. The colours are from the Okabe–Ito
palette (blue, vermillion) and a light grey, told apart by colour-blind readers and by
lightness; the legend and each hour's tooltip name the states in words. No JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from html import escape

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from rackdinero_app.extensions import db
from rackdinero_app.models import Transfer
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import TransferState

DAYS = 7
STATES = (TransferState.SUCCEEDED, TransferState.SKIPPED, TransferState.FAILED)  # bottom up
COLOURS = {
    TransferState.SUCCEEDED: "#0072B2",
    TransferState.SKIPPED: "#BBBBBB",
    TransferState.FAILED: "#D55E00",
}
HOUR_FORMAT = "%Y-%m-%d %H"


@dataclass(frozen=True)
class Hour:
    start: datetime  # UTC
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0

    def count(self, state: TransferState) -> int:
        return getattr(self, str(state))

    @property
    def total(self) -> int:
        return self.succeeded + self.failed + self.skipped


class hour_of(FunctionElement):
    """The UTC hour of a timestamp as ``YYYY-MM-DD HH`` text, on either database."""

    type = sa.String()
    inherit_cache = True


@compiles(hour_of)
def _hour_of_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"strftime('%Y-%m-%d %H', {column})"


@compiles(hour_of, "postgresql")
def _hour_of_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"to_char(date_trunc('hour', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24')"


def transfers_per_hour(connection_id: int | None = None, now: datetime | None = None) -> list[Hour]:
    """The last 7 × 24 hours up to and including the current one, oldest first, for all
    connections or one."""
    first = (now or utcnow()).replace(minute=0, second=0, microsecond=0) - timedelta(
        hours=DAYS * 24 - 1
    )
    hour = hour_of(Transfer.finished_at).label("hour")
    query = (
        sa.select(hour, Transfer.state, sa.func.count())
        .where(Transfer.state.in_(STATES), Transfer.finished_at >= first)
        .group_by(hour, Transfer.state)
    )
    if connection_id is not None:
        query = query.where(Transfer.connection_id == connection_id)
    counts: dict[tuple[str, str], int] = {
        (label, str(state)): number for label, state, number in db.session.execute(query)
    }
    hours = [first + timedelta(hours=n) for n in range(DAYS * 24)]
    return [
        Hour(
            start, **{str(s): counts.get((start.strftime(HOUR_FORMAT), str(s)), 0) for s in STATES}
        )
        for start in hours
    ]


@dataclass(frozen=True)
class ChartText:
    """The chart's words, in the reader's language (the caller translates them)."""

    title: str = "Transfers per hour, last 7 days"
    succeeded: str = "Succeeded"
    failed: str = "Failed"
    skipped: str = "Skipped"

    def of(self, state: TransferState) -> str:
        return getattr(self, str(state))


ENGLISH = ChartText()
BAR = 4  # width of one hour, in user units
LEFT, TOP, PLOT_HEIGHT, AXIS, LEGEND = 36, 10, 160, 20, 24


def render_svg(
    series: list[Hour],
    *,
    text: ChartText = ENGLISH,
    day_label: Callable[[date], str] = date.isoformat,
    id_prefix: str = "transfers-chart",
) -> str:
    """The SVG of ``series`` (one ``Hour`` each, oldest first): bar heights are proportional
    to the counts, the tallest hour filling the plot."""
    width = LEFT + BAR * len(series) + 8
    height = TOP + PLOT_HEIGHT + AXIS + LEGEND
    tallest = max((hour.total for hour in series), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{_e(id_prefix)}-title {_e(id_prefix)}-desc" class="transfers-chart">',
        f'<title id="{_e(id_prefix)}-title">{_e(text.title)}</title>',
        f'<desc id="{_e(id_prefix)}-desc">{_e(_totals(series, text))}</desc>',
        _axis(tallest, width),
        *_days(series, day_label),
        *(_bar(index, hour, tallest, text) for index, hour in enumerate(series) if hour.total),
        _legend(text, TOP + PLOT_HEIGHT + AXIS + 16),
        "</svg>",
    ]
    return "\n".join(parts)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _totals(series: list[Hour], text: ChartText) -> str:
    return ", ".join(
        f"{text.of(state)}: {sum(hour.count(state) for hour in series)}" for state in STATES
    )


def _axis(tallest: int, width: int) -> str:
    bottom = TOP + PLOT_HEIGHT
    return (
        f'<g class="axis" font-size="10" fill="#333">'
        f'<line x1="{LEFT}" y1="{bottom}" x2="{width - 8}" y2="{bottom}" stroke="#333"/>'
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{tallest}</text>'
        f'<text x="{LEFT - 4}" y="{bottom}" text-anchor="end">0</text></g>'
    )


def _days(series: list[Hour], day_label: Callable[[date], str]) -> list[str]:
    """A line and a label where each day starts (UTC midnight)."""
    marks = []
    for index, hour in enumerate(series):
        if hour.start.hour == 0:
            x = LEFT + index * BAR
            marks.append(
                f'<g class="day"><line x1="{x}" y1="{TOP}" x2="{x}" y2="{TOP + PLOT_HEIGHT}" '
                f'stroke="#ddd"/><text x="{x + 2}" y="{TOP + PLOT_HEIGHT + 14}" font-size="10" '
                f'fill="#333">{_e(day_label(hour.start.date()))}</text></g>'
            )
    return marks


def _bar(index: int, hour: Hour, tallest: int, text: ChartText) -> str:
    """One hour's stacked rectangles, with a tooltip naming its counts."""
    x = LEFT + index * BAR
    y = float(TOP + PLOT_HEIGHT)
    tip = f"{hour.start:%Y-%m-%d %H:00} UTC: " + ", ".join(
        f"{text.of(state)} {hour.count(state)}" for state in STATES
    )
    rects = []
    for state in STATES:
        count = hour.count(state)
        if count:
            size = count * PLOT_HEIGHT / tallest
            y -= size
            rects.append(
                f'<rect class="{state}" x="{x}" y="{y:.2f}" width="{BAR - 1}" '
                f'height="{size:.2f}" fill="{COLOURS[state]}"/>'
            )
    return f'<g class="hour"><title>{_e(tip)}</title>{"".join(rects)}</g>'


def _legend(text: ChartText, y: int) -> str:
    items = []
    for number, state in enumerate(STATES):
        x = LEFT + number * 110
        items.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[state]}"/>'
            f'<text x="{x + 14}" y="{y}" font-size="11" fill="#333">{_e(text.of(state))}</text>'
        )
    return f'<g class="legend">{"".join(items)}</g>'
