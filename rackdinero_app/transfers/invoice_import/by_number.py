"""Import one Dinero invoice or credit note by its number now (T1, Dinero → Rackbeat).

Dinero's lists cannot filter on the voucher number (``queryFilter`` knows ExternalReference,
ContactGuid and Description only), so ``/sales`` (invoices and credit notes together, ``Type``
telling which) is searched with ``freeTextSearch`` — which matches Number, ContactName,
Description and TotalInclTax as text — and the voucher whose Number is exactly the one asked for
is taken. Invoices and credit notes share one number series, so a number names one voucher.
"""

from __future__ import annotations

from dataclasses import dataclass

from rackdinero_app import jobs
from rackdinero_app.clients.dinero.client import SalesFilter
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.connections import connection_dinero_client
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.engine import client_message
from rackdinero_app.transfers.links import owner_of
from rackdinero_app.transfers.mapping.from_dinero import BOOKED_STATUSES
from rackdinero_app.transfers.mapping.from_dinero import voucher_label
from rackdinero_app.transfers.messages import Message

TRIGGER = "troubleshooting"


@dataclass(frozen=True)
class ImportRequest:
    """What asking for a Dinero voucher by number did: the transfer that imports it (new, or
    the one it already had), or the reason there is none (not found, already in Rackbeat,
    Dinero unreachable), as a catalogue message."""

    transfer: Transfer | None
    created: bool = False
    reason: Message | None = None


def request_import_by_number(connection_id: int, number: str) -> ImportRequest:
    """Find booked Dinero invoice or credit note ``number`` and request its import; a new
    transfer is enqueued at once, ahead of queued work. An existing failed or skipped one is
    returned as it is (the caller may send it again with ``rows.send_again``)."""
    number = number.strip()
    if not number.isdigit():
        return ImportRequest(None, reason=Message.of("dinero_invoice_not_found", number=number))
    connection = db.session.get(Connection, connection_id)
    dinero = connection_dinero_client(connection)
    search = SalesFilter(
        fields="Guid,Number,Type,Status,ContactName,Description",
        free_text_search=number,
        status_filter=",".join(BOOKED_STATUSES),
    )
    try:
        voucher = next(
            (v for v in dinero.iter_sales(search) if str(v.get("Number")) == number), None
        )
    except ClientError as error:
        return ImportRequest(None, reason=client_message(error))
    if voucher is None:
        return ImportRequest(None, reason=Message.of("dinero_invoice_not_found", number=number))
    kind = (
        EntityKind.CREDIT_NOTE
        if voucher.get("Type") == "CreditNote"
        else EntityKind.CUSTOMER_INVOICE
    )
    guid = str(voucher["Guid"]).lower()
    link = owner_of(connection_id, kind, guid)
    if link is not None:
        document = voucher_label(kind, voucher)
        reason = Message.of("already_in_rackbeat", document=document, number=link.rackbeat_key)
        return ImportRequest(None, reason=reason)
    transfer, created = rows.request_transfer(
        connection_id, kind, guid, trigger=TRIGGER, direction=TransferDirection.DINERO_TO_RACKBEAT
    )
    if created:
        jobs.enqueue_transfer(transfer.id, at_front=True)
    return ImportRequest(transfer, created)
