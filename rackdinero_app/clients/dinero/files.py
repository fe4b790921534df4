"""Dinero's file archive (``/v1/{org}/files``): the documents vouchers carry.

A file uploaded here stays hidden from the user until a voucher links it, and its ``FileGuid``
is an identity Dinero gives back exactly: a purchase voucher created with it is found again by
``vouchers/purchase/fileguid/{fileGuid}``. An upload whose answer was lost is found again by
its name, which the app makes deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from rackdinero_app.clients.dinero.transport import MAX_PAGE_SIZE
from rackdinero_app.clients.dinero.transport import created
from rackdinero_app.clients.records import Record

# "If the file size is above 6 MB, then a status code 400 will be returned" (the upload's
# documentation); read as 6,000,000 bytes, the stricter of the two readings.
MAX_FILE_BYTES = 6_000_000


def _day(value: date | None) -> str | None:
    # The archive's date filters are documented as yyyy/MM/dd.
    return None if value is None else value.strftime("%Y/%m/%d")


class FileOperations:
    """The file-archive operations of ``DineroClient`` (it provides ``_call``)."""

    def upload_file(self, name: str, content: bytes, content_type: str = "application/pdf") -> str:
        """Upload a file (at most ``MAX_FILE_BYTES``) to the archive; returns its FileGuid."""
        answer = self._call("POST", "v1", "files", files={"file": (name, content, content_type)})
        # An empty answer: the file is in the archive under its name, uploaded just now.
        since = date.today() - timedelta(days=1)
        file = created(answer, lambda: self.find_file(name, uploaded_after=since))
        return str(file["FileGuid"])

    def iter_files(
        self,
        *,
        extensions: str | None = None,
        uploaded_after: date | None = None,
        uploaded_before: date | None = None,
        file_status: str = "All",
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Record]:
        """Every file in the archive matching the filters (a bare array per page, 0-based)."""
        size = max(1, min(page_size, MAX_PAGE_SIZE))
        params: dict[str, Any] = {
            "extensions": extensions,
            "uploadedAfter": _day(uploaded_after),
            "uploadedBefore": _day(uploaded_before),
            "fileStatus": file_status,
            "pageSize": size,
        }
        page = 0
        while True:
            items = self._call("GET", "v1", "files", params={**params, "page": page}) or []
            yield from items
            if len(items) < size:
                return
            page += 1

    def find_file(self, name: str, *, uploaded_after: date | None = None) -> Record | None:
        """The archived file named exactly ``name`` (the earliest, should there be several)."""
        extension = name.rsplit(".", 1)[-1] if "." in name else None
        matches = [
            file
            for file in self.iter_files(extensions=extension, uploaded_after=uploaded_after)
            if file.get("Name") == name
        ]
        return min(matches, key=lambda file: str(file.get("UploadedAt") or ""), default=None)

    def file_links(self, file_guid: str, *, uploaded_after: date | None = None) -> list[str]:
        """The guids of every voucher (draft or booked, of any kind) the file is linked to."""
        for file in self.iter_files(uploaded_after=uploaded_after, file_status="Used"):
            if str(file.get("FileGuid") or "").lower() == file_guid.lower():
                return [str(link["VoucherGuid"]) for link in file.get("Linked") or []]
        return []

    def download_file(self, file_guid: str) -> bytes:
        """The file's content."""
        response = self.transport.send(
            "GET", "v1", f"files/{quote(file_guid)}", accept="application/octet-stream"
        )
        return response.content
