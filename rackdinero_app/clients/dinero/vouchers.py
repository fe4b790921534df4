"""Purchase vouchers (supplier invoices) and manual vouchers ("vouchers/manuel", spelled so by
Dinero): the operations of ``DineroClient`` that write vouchers.

Dinero takes no client-chosen Guid for either. A purchase voucher's exact identity is its
``FileGuid``: ``vouchers/purchase/fileguid/{fileGuid}`` lists the vouchers carrying the file,
and only the one whose ``ExternalReference`` is ours counts as ours.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from rackdinero_app.clients.dinero.transport import Body
from rackdinero_app.clients.dinero.transport import created
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.records import Record


def _timestamp(timestamp: str | None) -> dict[str, str]:
    return {} if timestamp is None else {"Timestamp": timestamp}


def book_body(timestamp: str, number: int | None) -> dict[str, Any]:
    """A ``BookModel``: the version being booked and, optionally, the number to give."""
    return (
        {"Timestamp": timestamp} if number is None else {"Timestamp": timestamp, "Number": number}
    )


class VoucherOperations:
    """The voucher operations of ``DineroClient`` (it provides ``_call``)."""

    # -- purchase vouchers (supplier invoices) -------------------------------------------------

    def similar_purchase_vouchers(self, voucher: Body) -> Record:
        """Dinero's duplicate check for a purchase-voucher body. A heuristic: it may name a
        look-alike voucher of another invoice, so it never proves a voucher is ours."""
        return self._call("POST", "v1", "vouchers/purchase/similar", json=voucher)

    def create_purchase_voucher(self, voucher: Body) -> Record:
        """Create a purchase-voucher draft (v1.2, which supports ``AccountTagName``); an empty
        answer is resolved through the voucher's ``FileGuid``."""
        answer = self._call("POST", "v1.2", "vouchers/purchase", json=voucher)
        return created(
            answer,
            lambda: self.find_purchase_voucher(
                voucher.get("FileGuid"), voucher.get("ExternalReference")
            ),
        )

    def get_purchase_voucher(self, guid: str) -> Record:
        return self._call("GET", "v1", f"vouchers/purchase/{quote(guid)}")

    def delete_purchase_voucher(self, guid: str, timestamp: str | None = None) -> None:
        self._call("DELETE", "v1", f"vouchers/purchase/{quote(guid)}", json=_timestamp(timestamp))

    def purchase_vouchers_for_file(self, file_guid: str) -> list[str]:
        """The guids of the purchase vouchers that have this file attached."""
        return self._call("GET", "v1", f"vouchers/purchase/fileguid/{quote(file_guid)}") or []

    def find_purchase_voucher(
        self,
        file_guid: str | None,
        external_reference: str | None,
        *,
        linked_since: date | None = None,
    ) -> Record | None:
        """The purchase voucher carrying this file whose ``ExternalReference`` is exactly ours,
        or ``None``: a voucher with another reference belongs to someone else.

        ``vouchers/purchase/fileguid`` is documented for drafts; given ``linked_since`` (a day
        on or before the upload), a file it finds on no draft is also looked up in the archive,
        whose ``Linked`` names booked vouchers too (a draft someone booked in the meantime)."""
        if not file_guid or not external_reference:
            return None
        guids = self.purchase_vouchers_for_file(file_guid)
        if not guids and linked_since is not None:
            guids = self.file_links(file_guid, uploaded_after=linked_since)
        return self._ours(self.get_purchase_voucher, guids, external_reference)

    @staticmethod
    def _ours(read, guids: list[str], external_reference: str) -> Record | None:
        """The first of ``guids`` that ``read`` finds with exactly our ``ExternalReference``."""
        for guid in guids:
            try:
                voucher = read(str(guid))
            except NotFound:
                continue  # a voucher of another kind carries the file
            if voucher.get("ExternalReference") == external_reference:
                return voucher
        return None

    def book_purchase_voucher(
        self, guid: str, timestamp: str, *, number: int | None = None
    ) -> Record:
        return self._call(
            "POST", "v1", f"vouchers/purchase/{quote(guid)}/book", json=book_body(timestamp, number)
        )

    # -- manual vouchers ------------------------------------------------------------------------

    def create_manual_voucher(self, voucher: Body) -> Record:
        """Create a manual-voucher draft. Dinero offers no way to find one by our identity, so
        an empty answer raises ``Transient``: the write may have been saved."""
        answer = self._call("POST", "v1", "vouchers/manuel", json=voucher)
        return created(answer, lambda: None)

    def get_manual_voucher(self, guid: str) -> Record:
        return self._call("GET", "v1", f"vouchers/manuel/{quote(guid)}")

    def book_manual_voucher(
        self, guid: str, timestamp: str, *, number: int | None = None
    ) -> Record:
        return self._call(
            "POST", "v1", f"vouchers/manuel/{quote(guid)}/book", json=book_body(timestamp, number)
        )
