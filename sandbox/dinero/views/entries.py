"""The ledger's two lists: ``GET /entries`` (by date) and ``/entries/changes`` (by posting time).

Both answer a bare JSON array of ``EntryReadModel`` (no envelope, no paging). Choices where
the OpenAPI document is silent: ``fromDate``/``toDate`` go together like the sales lists'
``startDate``/``endDate``, and without either the current accounting (calendar) year is read;
times are read as UTC and ``/entries`` compares on their date; ``changesTo`` is exclusive.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.dinero import state
from sandbox.dinero.errors import invalid
from sandbox.dinero.views.common import organization

bp = Blueprint("dinero_entries", __name__)

MAX_CHANGES_WINDOW = timedelta(days=31)
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2})Z?)?$")


def _moment_arg(name: str) -> datetime | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:mm:ss[Z]`` as a UTC datetime; 400 for anything else."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    match = _MOMENT.match(raw)
    try:
        if match is None:
            raise ValueError
        day, time = match.groups()
        return datetime.fromisoformat(f"{day}T{time or '00:00:00'}").replace(tzinfo=UTC)
    except ValueError:
        raise invalid(
            name, f"'{raw}' must be a date (YYYY-MM-DD) or UTC time (YYYY-MM-DDTHH:mm:ssZ)."
        ) from None


def _include_primo() -> bool:
    raw = request.args.get("includePrimo", "").strip().lower()
    if raw in ("", "true"):
        return True
    if raw == "false":
        return False
    raise invalid("includePrimo", f"The value '{raw}' is not valid for includePrimo.")


def _pair(first: str, second: str) -> tuple[datetime | None, datetime | None]:
    start, end = _moment_arg(first), _moment_arg(second)
    if (start is None) != (end is None):
        raise invalid(first if start is None else second, f"{first} and {second} go together.")
    return start, end


def _shown(entries: list[dict[str, Any]]) -> Any:
    primo = _include_primo()
    return jsonify(
        [
            {k: v for k, v in e.items() if not k.startswith("_")}
            for e in entries
            if primo or e["Type"] != "Primo"
        ]
    )


@bp.get("/v1/<organizationId>/entries")
def entries(organizationId: str):
    start, end = _pair("fromDate", "toDate")
    if start is None or end is None:
        year = state.now().year
        first, last = date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    else:
        if start.year != end.year:
            raise invalid("toDate", "The period cannot cross accounting years.")
        first, last = start.date().isoformat(), end.date().isoformat()
    return _shown([e for e in organization().entries if first <= e["Date"] <= last])


@bp.get("/v1/<organizationId>/entries/changes")
def changes(organizationId: str):
    start, end = _pair("changesFrom", "changesTo")
    if start is None or end is None:
        raise invalid("changesFrom", "changesFrom and changesTo are required.")
    if end - start > MAX_CHANGES_WINDOW:
        raise invalid("changesTo", "The time range cannot be longer than 31 days.")
    return _shown([e for e in organization().entries if start <= e["_created_at"] < end])
