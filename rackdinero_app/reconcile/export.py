"""A reconciliation's report as CSV (RC1): every line of the run, in the reader's language,
for the accountant's spreadsheet.

Amounts are written with a dot and two decimals whatever the language, so a spreadsheet reads
them as numbers. A cell that a spreadsheet would run as a formula (it starts with = + - @, or a
tab or carriage return) gets a leading apostrophe: invoice numbers and references come from
Rackbeat and Dinero, which anyone with access there can type."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from rackdinero_app.models import Reconciliation
from rackdinero_app.models import ReconciliationItem
from rackdinero_app.reconcile import wording
from rackdinero_app.reconcile.runs import items

HEADER = (
    _l("Group"),
    _l("Kind"),
    _l("Rackbeat number"),
    _l("Date"),
    _l("Rackbeat total"),
    _l("Dinero total"),
    _l("Dinero number"),
    _l("Dinero status"),
    _l("Reason"),
    _l("Fix"),
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200


def filename(run: Reconciliation) -> str:
    return f"reconciliation-{run.month:%Y-%m}.csv"


def safe(cell: str) -> str:
    """The cell as text a spreadsheet shows rather than runs."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def plain_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def cells(item: ReconciliationItem) -> list[str]:
    """One line: names translated, the amounts plain (a negative amount is a number, not a
    formula, so it is written as it is)."""
    text = [
        str(wording.GROUP_LABELS[item.group]),
        str(wording.KIND_LABELS.get(item.kind, item.kind.value)),
        item.rackbeat_number or "",
        item.document_date.isoformat() if item.document_date else "",
    ]
    numbers = [plain_amount(item.rackbeat_total), plain_amount(item.dinero_total)]
    more = [
        item.dinero_number or "",
        str(wording.STATUS_LABELS.get(item.dinero_status, item.dinero_status or "")),
        wording.reason(item),
        wording.fix_state(item),
    ]
    return [safe(cell) for cell in text] + numbers + [safe(cell) for cell in more]


def lines(run: Reconciliation) -> Iterator[str]:
    """The CSV, a chunk of rows at a time (a month can hold thousands of invoices)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe(str(title)) for title in HEADER])
    for number, item in enumerate(items(run), start=1):
        writer.writerow(cells(item))
        if number % ROWS_PER_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
