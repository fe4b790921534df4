"""The three sales lists (``/invoices``, ``/sales/creditnotes``, ``/sales``) and their filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify
from flask import request

from sandbox.dinero import listing
from sandbox.dinero import sales
from sandbox.dinero.errors import invalid
from sandbox.dinero.views.common import organization

FILTERABLE = ("ExternalReference", "ContactGuid", "Description")
SORT_KEYS = {
    "vouchernumber": lambda r: r["Number"],
    "voucherdate": lambda r: r["Date"],
    "status": lambda r: sales.STATUS_ORDER.index(r["Status"]),
    "contact": lambda r: (r["ContactName"] or "").lower(),
}


def _date_window(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    start, end = request.args.get("startDate"), request.args.get("endDate")
    if not start and not end:
        return records
    if not (start and end):
        raise invalid("startDate" if not start else "endDate", "startDate and endDate go together.")
    for name, value in (("startDate", start), ("endDate", end)):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise invalid(name, f"'{value}' must be in the format YYYY-MM-DD.") from None
    # Drafts are not affected by the date filter (documented).
    return [r for r in records if r["Status"] == "Draft" or start <= r["Date"] <= end]


def _status_filtered(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    raw = request.args.get("statusFilter", "").strip()
    if not raw:
        return records
    by_lower = {s.lower(): s for s in sales.STATUS_ORDER}
    wanted = set()
    for name in raw.split(","):
        if name.strip().lower() not in by_lower:
            raise invalid(
                "statusFilter",
                f"'{name.strip()}' is not a status. Valid: {', '.join(sales.STATUS_ORDER)}.",
            )
        wanted.add(by_lower[name.strip().lower()])
    return [r for r in records if r["Status"] in wanted]


def _free_text(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    term = request.args.get("freeTextSearch", "").strip().lower()
    if not term:
        return records
    return [
        r
        for r in records
        if any(
            term in str(value).lower()
            for value in (
                r["Number"],
                r["ContactName"] or "",
                r["Description"] or "",
                r["TotalInclVat"],
            )
        )
    ]


def _sorted(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = [
        n.strip().lower()
        for n in request.args.get("sort", "VoucherNumber,VoucherDate").split(",")
        if n.strip()
    ]
    unknown = [n for n in names if n not in SORT_KEYS]
    if unknown:
        raise invalid("sort", f"Cannot sort on {', '.join(unknown)}.")
    order = request.args.get("sortOrder", "descending").strip().lower()
    if order not in ("ascending", "descending"):
        raise invalid("sortOrder", "The sortOrder must be ascending or descending.")
    return sorted(
        records,
        key=lambda r: (*(SORT_KEYS[n](r) for n in names), r["CreatedAt"], r["Guid"]),
        reverse=order == "descending",
    )


def sales_list(kinds: tuple[str, ...], path: str):
    org = organization()
    every = [sales.list_item(org, r) for kind in kinds for r in sales.table(org, kind).values()]
    deleted_only = listing.bool_arg("deletedOnly")
    records = [r for r in every if bool(r["DeletedAt"]) == deleted_only]
    records = listing.changed_since(records)
    records = _free_text(_status_filtered(_date_window(records)))
    records = _sorted(listing.query_filtered(records, FILTERABLE))
    item, default_fields = listing.operation_items("GET", path)
    live = sum(1 for r in every if not r["DeletedAt"])
    return jsonify(listing.envelope(records, live, item, default_fields))
