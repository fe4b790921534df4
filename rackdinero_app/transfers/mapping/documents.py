"""Reading a Rackbeat invoice's header: its date and its VAT total.

Rackbeat's public models of customer and supplier invoices show neither ``invoice_date`` nor
``total_vat`` (reference: rackbeat.md §2); they show ``total_subtotal``, ``total_total`` and the
datetimes its SDK reads (``invoiced_at``, ``booked_at``, ``created_at``). Each value is read
where Rackbeat sends it and otherwise derived from what it does send, so an invoice without
these fields still transfers; only when nothing can stand in does the transfer fail, naming
the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.mapping.values import cents
from rackdinero_app.transfers.mapping.values import dec
from rackdinero_app.transfers.mapping.values import iso_date
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message

# Where the date of an invoice is read, first found wins: Rackbeat's own invoice date, then
# the moment it was invoiced, booked, created (each a datetime; its date part is used as
# written, in the offset Rackbeat wrote it in).
DATE_FIELDS = ("invoice_date", "invoiced_at", "booked_at", "created_at")


def document_date(invoice: Mapping[str, Any], document: Message) -> str:
    """``YYYY-MM-DD`` of the invoice, from the first of ``DATE_FIELDS`` it carries."""
    for field in DATE_FIELDS:
        if text(invoice.get(field)) is not None:
            return iso_date(invoice[field], Message.of("date_of", document=document))
    raise InvalidSourceRecord(
        Message.of("document_without_date", document=document, fields=", ".join(DATE_FIELDS))
    )


def vat_total(invoice: Mapping[str, Any], lines_total: Decimal, document: Message) -> Decimal:
    """Rackbeat's VAT on the invoice, to the øre: ``total_vat`` where Rackbeat sends it, else
    its total incl. VAT less its subtotal (``total_total`` − ``total_subtotal``; the lines'
    total, ``lines_total``, where no subtotal is sent). Rackbeat shows no per-line VAT, so
    without either total there is nothing to derive it from."""
    if invoice.get("total_vat") is not None:
        return cents(dec(invoice["total_vat"], Message.of("vat_total_of", document=document)))
    if invoice.get("total_total") is None:
        raise InvalidSourceRecord(Message.of("vat_total_missing", document=document))
    total = dec(invoice["total_total"], Message.of("total_incl_vat_of", document=document))
    subtotal = (
        dec(invoice["total_subtotal"], Message.of("subtotal_of", document=document))
        if invoice.get("total_subtotal") is not None
        else lines_total
    )
    return cents(total - subtotal)
