"""The skip report: every record a run skipped or could not create, with the reason, read from
its ``SyncRecord`` rows a page at a time, and the same as CSV, streamed row by row.

Cells a spreadsheet would take for a formula (starting with ``= + - @``, a tab or a carriage
return) get a leading apostrophe, so a Dinero name cannot run anything on the reader's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import SyncRecord
from rackdinero_app.models.enums import SyncOutcome

REPORTED = (SyncOutcome.SKIPPED, SyncOutcome.FAILED)
PAGE_SIZE = 50
STREAM_BATCH = 500
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Line:
    kind: str
    label: str
    outcome: str
    reason_code: str | None
    params: dict[str, Any]


@dataclass(frozen=True)
class ReportPage:
    lines: list[Line]
    page: int
    pages: int
    total: int


def _reported(run_id: int):
    return (
        sa.select(
            SyncRecord.kind,
            SyncRecord.label,
            SyncRecord.outcome,
            SyncRecord.reason_code,
            SyncRecord.message_params,
        )
        .where(SyncRecord.sync_run_id == run_id, SyncRecord.outcome.in_(REPORTED))
        .order_by(SyncRecord.id)
    )


def _line(row) -> Line:
    kind, label, outcome, code, params = row
    return Line(kind.value, label or "", outcome.value, code, dict(params or {}))


def report_page(run_id: int, page: int) -> ReportPage:
    """One page (1-based, clamped) of the skip report."""
    total = db.session.scalar(
        sa.select(sa.func.count()).where(
            SyncRecord.sync_run_id == run_id, SyncRecord.outcome.in_(REPORTED)
        )
    )
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        _reported(run_id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return ReportPage([_line(row) for row in rows], page, pages, total)


def safe_cell(value: str) -> str:
    """A cell that a spreadsheet shows as text, never as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_lines(run_id: int, header: list[str], cells: Callable[[Line], list[str]]) -> Iterator[str]:
    """The skip report as CSV text, a row at a time; ``cells`` gives a line's cells in the
    reader's language. Rows are read from the database in batches, never all at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(str(value)) for value in values])
        return buffer.getvalue()

    yield "\ufeff" + row(header)
    result = db.session.execute(_reported(run_id).execution_options(yield_per=STREAM_BATCH))
    for record in result:
        yield row(cells(_line(record)))
    result.close()
