"""Booked supplier invoices (P1, P2, P4): a Dinero purchase voucher once per Rackbeat invoice,
carrying the invoice's document, whose FileGuid is the voucher's exact identity
(``voucher_files``). A look-alike voucher (same supplier, date and total) of another invoice is
never taken for ours: only our ExternalReference on a voucher with our file proves it."""

from __future__ import annotations

from collections.abc import Callable

from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.kinds.common import SUPPLIERS_OFF
from rackdinero_app.transfers.kinds.common import book
from rackdinero_app.transfers.kinds.common import created_in_dinero
from rackdinero_app.transfers.kinds.common import line_products
from rackdinero_app.transfers.kinds.contacts import ensure_contact
from rackdinero_app.transfers.kinds.voucher_documents import supplier_invoice_pdf
from rackdinero_app.transfers.kinds.voucher_files import ensure_file
from rackdinero_app.transfers.kinds.voucher_files import usable_pdf
from rackdinero_app.transfers.links import find_link
from rackdinero_app.transfers.links import save_link
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.outcome import Outcome


def _supplier_number(invoice: dict) -> str:
    number = invoice.get("supplier_id") or (invoice.get("supplier") or {}).get("number")
    if number is None or str(number).strip() == "":
        raise InvalidSourceRecord(
            Message.of("supplier_invoice_without_supplier", number=invoice.get("number"))
        )
    return str(number)


def _document(job: TransferJob, invoice: dict, supplier: dict) -> bytes:
    """The supplier invoice's PDF from Rackbeat, or one made from the invoice when Rackbeat
    has none (or one Dinero's archive would refuse)."""
    pdf = job.rackbeat.supplier_invoice_pdf(job.key)
    return pdf if usable_pdf(pdf) else supplier_invoice_pdf(invoice, supplier)


def _voucher_with_file(job: TransferJob, payload: dict, document: Callable[[], bytes]):
    """Our purchase voucher, created with the invoice's document unless an earlier attempt
    did: a voucher carrying the document counts only if its ExternalReference is ours."""
    file = ensure_file(job, EntityKind.SUPPLIER_INVOICE, document)
    if file.earlier:
        voucher = job.dinero.find_purchase_voucher(
            file.guid, payload["ExternalReference"], linked_since=file.uploaded_since
        )
        if voucher is not None:
            return voucher
    return job.dinero.create_purchase_voucher({**payload, "FileGuid": file.guid})


def transfer_supplier_invoice(job: TransferJob) -> Outcome:
    settings = job.settings
    if not settings.supplier_integration_enabled:
        return Outcome.skipped("integration_off", SUPPLIERS_OFF)
    invoice = job.rackbeat.get_supplier_invoice(job.key)
    if not invoice.get("is_booked"):
        return Outcome.skipped("not_booked", Message.of("supplier_invoice_not_booked"))
    supplier_number = _supplier_number(invoice)
    supplier = job.rackbeat.get_supplier(supplier_number)
    products = line_products(job, invoice.get("lines") or [])
    contact_guid = ensure_contact(job, EntityKind.SUPPLIER, supplier_number, supplier)
    payload = mapping.purchase_voucher_payload(
        invoice,
        supplier,
        settings,
        contact_guid=contact_guid,
        external_reference=job.reference(EntityKind.SUPPLIER_INVOICE),
        products=products,
        group_names=job.product_groups(),
    )
    link = find_link(job.connection.id, EntityKind.SUPPLIER_INVOICE, job.key)
    if link is None:
        current = _voucher_with_file(job, payload, lambda: _document(job, invoice, supplier))
        guid = str(current["Guid"])
        save_link(job.connection.id, EntityKind.SUPPLIER_INVOICE, job.key, guid)
    else:
        guid = link.dinero_guid
        current = job.dinero.get_purchase_voucher(guid)
    timestamp = current["Timestamp"]  # records read TimeStamp in any casing
    current_status = str(current.get("Status") or "draft").lower()
    number = None
    if settings.supplier_invoice_status == DineroInvoiceStatus.BOOKED:
        if current_status == "draft":
            current = book(
                job.dinero.book_purchase_voucher, job.dinero.get_purchase_voucher, guid, timestamp
            )
        number = current.get("VoucherNumber")
        status = "booked"
    else:
        status = "draft"
    number = str(number) if number is not None else None
    return Outcome.succeeded(
        created_in_dinero("purchase_voucher", status, number),
        dinero_guid=guid,
        dinero_number=number,
    )
