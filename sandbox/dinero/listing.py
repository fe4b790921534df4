"""List query parameters as Dinero reads them: page/pageSize, fields, queryFilter, changesSince.

Choices where the documentation is silent:
- ``Result`` is the number of items on the returned page (clients stop when it is below
  ``PageSize``); ``ResultWithoutFilter`` is the number of (non-deleted) items before any filter.
- A ``fields`` name that is not a property of the item model gives 400 naming ``fields``.
- ``queryFilter`` field names and operators are matched case-insensitively; a field outside the
  endpoint's filterable list gives 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import g
from flask import request

from sandbox.dinero import spec
from sandbox.dinero.errors import invalid

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
_CONDITION = re.compile(r"\s*(\w+)\s+(eq|contains)\s+'([^']*)'\s*(?:;|$)", re.IGNORECASE)


def int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid(name, f"The value '{raw}' is not valid for {name}.") from None


def bool_arg(name: str) -> bool:
    raw = request.args.get(name, "").strip().lower()
    if raw in ("", "false"):
        return False
    if raw == "true":
        return True
    raise invalid(name, f"The value '{raw}' is not valid for {name}.")


def page_window() -> tuple[int, int]:
    page = int_arg("page", 0)
    page_size = int_arg("pageSize", DEFAULT_PAGE_SIZE)
    if page < 0:
        raise invalid("page", "The page must be 0 or greater (pages are 0-based).")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise invalid("pageSize", f"The pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    return page, page_size


def changed_since(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records created, updated or deleted at or after ``changesSince`` (UTC, ``…THH:mm:ssZ``)."""
    raw = request.args.get("changesSince")
    if not raw:
        return list(records)
    try:
        since = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise invalid(
            "changesSince", "The time must be UTC in the format 'YYYY-MM-DDTHH:mm:ssZ'."
        ) from None
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        r
        for r in records
        if max(r.get("CreatedAt") or "", r.get("UpdatedAt") or "", r.get("DeletedAt") or "")
        >= stamp
    ]


def query_filtered(
    records: list[dict[str, Any]], filterable: Iterable[str]
) -> list[dict[str, Any]]:
    """Apply ``queryFilter``: ``Field eq|contains 'value'``, ``;`` meaning AND, any case."""
    raw = request.args.get("queryFilter", "").strip()
    if not raw:
        return records
    by_lower = {name.lower(): name for name in filterable}
    conditions: list[tuple[str, str, str]] = []
    position = 0
    while position < len(raw):
        match = _CONDITION.match(raw, position)
        if match is None or match.end() == position:
            raise invalid(
                "queryFilter",
                "The filter must be conditions like \"Field eq 'value'\" joined by ';'.",
            )
        field, operator, value = match.groups()
        if field.lower() not in by_lower:
            raise invalid(
                "queryFilter",
                f"'{field}' cannot be filtered on. Filterable: {', '.join(filterable)}.",
            )
        conditions.append((by_lower[field.lower()], operator.lower(), value.lower()))
        position = match.end()

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value).lower()

    def matches(record: dict[str, Any]) -> bool:
        for field, operator, value in conditions:
            actual = text(record.get(field))
            if operator == "eq" and actual != value:
                return False
            if operator == "contains" and value not in actual:
                return False
        return True

    return [r for r in records if matches(r)]


def projected(
    records: list[dict[str, Any]],
    item_schema: dict[str, Any],
    default_fields: str,
    present: Callable[[dict[str, Any]], dict[str, Any]] = lambda r: r,
) -> list[dict[str, Any]]:
    """Each record reduced to the ``fields`` asked for, keyed the way they were spelled."""
    raw = request.args.get("fields") or default_fields
    by_lower = {name.lower(): name for name in item_schema["properties"]}
    wanted = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in wanted if name.lower() not in by_lower]
    if unknown:
        raise invalid("fields", f"Unknown field(s): {', '.join(unknown)}.")
    g.projected = True
    out = []
    for record in records:
        shown = present(record)
        out.append({name: shown.get(by_lower[name.lower()]) for name in wanted})
    return out


def envelope(
    records: list[dict[str, Any]],
    total_without_filter: int,
    item_schema: dict[str, Any],
    default_fields: str,
    present: Callable[[dict[str, Any]], dict[str, Any]] = lambda r: r,
) -> dict[str, Any]:
    """``{Collection, Pagination}`` for one 0-based page of ``records``."""
    page, page_size = page_window()
    chunk = records[page * page_size : (page + 1) * page_size]
    return {
        "Collection": projected(chunk, item_schema, default_fields, present),
        "Pagination": {
            "MaxPageSizeAllowed": MAX_PAGE_SIZE,
            "PageSize": page_size,
            "Result": len(chunk),
            "ResultWithoutFilter": total_without_filter,
            "Page": page,
        },
    }


def operation_items(method: str, path: str) -> tuple[dict[str, Any], str]:
    """The documented item schema and default ``fields`` of a list operation."""
    operation = spec.operation(method, path)
    return spec.item_schema(operation.response_schema), operation.query_defaults.get("fields", "")
