"""Dinero's file archive: uploads, the list with its filters, and the vouchers a file is on.

Readings where the documentation is silent or contradicts itself:
- Size: "If the file size is above 6 MB, then a status code 400 will be returned" (the OpenAPI
  document; Dinero's error page says 413, the sources disagree and the OpenAPI document is the
  authority). 6 MB is read as 6 MiB, the more lenient reading; the body of that 400 is a JSON
  string, as documented.
- "Accepts a posted image/pdf", yet the list's own example filters on csv: any named, non-empty
  file is accepted.
- ``uploadedAfter``/``uploadedBefore`` (yyyy/MM/dd; their descriptions are swapped in the
  document, the names are taken as meant): after = uploaded on or after that day (UTC), before
  = uploaded before that day.
- ``Linked`` lists every voucher the file is on, draft or booked; a file with links is
  ``Used``. The list is ordered newest first.
- ``FileGuid``s are uuids (the read model's example is one).
"""

from __future__ import annotations

import uuid
from datetime import date
from datetime import datetime
from typing import Any

from sandbox.dinero import state
from sandbox.dinero.errors import invalid
from sandbox.dinero.rules import check_one_of
from sandbox.dinero.state import Organization

MAX_BYTES = 6 * 1024 * 1024
FILE_STATUSES = frozenset({"All", "Used", "Unused"})
_VOUCHER_TABLES = ("purchase_vouchers", "manual_vouchers", "purchase_credit_notes")


def store_file(org: Organization, name: str, content: bytes, mimetype: str) -> dict[str, Any]:
    """Add an uploaded file to the archive (the caller checked its size)."""
    guid = str(uuid.uuid4())
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else None
    record = {
        "FileGuid": guid,
        "Name": name,
        "Extension": extension,
        "Size": len(content),
        "UploadedAt": state.iso(state.now()),
        "Note": None,
        "NumberOfPages": None,
        "UploadedBy": "API",
        "_content": content,
        "_mimetype": mimetype or "application/octet-stream",
    }
    org.files[guid] = record
    return record


def links(org: Organization, file_guid: str) -> list[dict[str, Any]]:
    """``FileLinkReadModel``s: the vouchers (purchase, manual, purchase credit notes) with it."""
    found = []
    for table in _VOUCHER_TABLES:
        for voucher in getattr(org, table).values():
            if (voucher.get("FileGuid") or "").lower() == file_guid.lower():
                found.append(
                    {
                        "VoucherId": uuid.UUID(voucher["Guid"]).int % 2**31,
                        "VoucherGuid": voucher["Guid"],
                        "LinkedAt": voucher["CreatedAt"],
                    }
                )
    return found


def read_model(org: Organization, record: dict[str, Any]) -> dict[str, Any]:
    """``FilteredFileReadModel`` of an archived file."""
    public = {key: value for key, value in record.items() if not key.startswith("_")}
    return {**public, "Linked": links(org, record["FileGuid"])}


def _day(field: str, raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y/%m/%d").date()
    except ValueError:
        raise invalid(field, f"The date '{raw}' must be in the format yyyy/MM/dd.") from None


def listed(
    org: Organization,
    extensions: list[str],
    uploaded_after: str | None,
    uploaded_before: str | None,
    file_status: str,
) -> list[dict[str, Any]]:
    """The archive filtered as ``GET /files`` does, newest first (not yet paged)."""
    check_one_of("fileStatus", file_status, FILE_STATUSES)
    after, before = _day("uploadedAfter", uploaded_after), _day("uploadedBefore", uploaded_before)
    wanted = {e.strip().lower().lstrip(".") for raw in extensions for e in raw.split(",") if e}
    result = []
    for record in org.files.values():
        day = datetime.fromisoformat(record["UploadedAt"].replace("Z", "+00:00")).date()
        model = read_model(org, record)
        if wanted and (record["Extension"] or "") not in wanted:
            continue
        if (after and day < after) or (before and day >= before):
            continue
        if file_status != "All" and bool(model["Linked"]) != (file_status == "Used"):
            continue
        result.append(model)
    return sorted(result, key=lambda f: (f["UploadedAt"], f["FileGuid"]), reverse=True)
