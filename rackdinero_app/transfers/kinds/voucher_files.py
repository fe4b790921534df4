"""The document a voucher carries in Dinero's file archive, which is also its exact identity.

Dinero takes no client-chosen Guid for a purchase voucher, but it gives back exactly the
``FileGuid`` of the file the voucher was created with (``vouchers/purchase/fileguid``). So the
file is uploaded first, its guid stored on the transfer row at once, and a later attempt looks
for the voucher carrying it before creating one. An upload whose answer was lost is found in
the archive by its name, which is derived from the transfer's identity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from rackdinero_app.clients.dinero.files import MAX_FILE_BYTES
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.context import TransferJob


@dataclass(frozen=True)
class VoucherFile:
    guid: str
    # An earlier attempt uploaded it, so a voucher may already carry it.
    earlier: bool
    # A day on or before the upload, to bound a search of the archive.
    uploaded_since: date


def file_name(job: TransferJob, kind: EntityKind) -> str:
    """The archive name of the transfer's document: its ExternalReference, made a file name
    (and its identity round, so a voucher sent again never finds the deleted one's file)."""
    suffix = f"-r{job.identity_round}" if job.identity_round else ""
    return job.reference(kind).replace(":", "-") + suffix + ".pdf"


def ensure_file(job: TransferJob, kind: EntityKind, document: Callable[[], bytes]) -> VoucherFile:
    """The transfer's document in Dinero's archive: the one an earlier attempt uploaded (on the
    row, or found by name when that upload's answer was lost), else ``document()`` uploaded."""
    transfer = job.transfer
    since = (transfer.created_at - timedelta(days=1)).date()
    if transfer.dinero_file_guid:
        return VoucherFile(transfer.dinero_file_guid, True, since)
    name = file_name(job, kind)
    if job.is_retry:
        found = job.dinero.find_file(name, uploaded_after=since)
        if found is not None:
            rows.remember(transfer.id, dinero_file_guid=str(found["FileGuid"]))
            return VoucherFile(str(found["FileGuid"]), True, since)
    guid = job.dinero.upload_file(name, document())
    rows.remember(transfer.id, dinero_file_guid=guid)
    return VoucherFile(guid, False, since)


def usable_pdf(content: bytes | None) -> bool:
    """A PDF Dinero's archive accepts: present, a PDF, and within its size limit."""
    return bool(content) and content.startswith(b"%PDF") and len(content) <= MAX_FILE_BYTES
