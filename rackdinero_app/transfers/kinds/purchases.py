"""Booked supplier invoices (P1, P2, P4): a Dinero purchase voucher once per Rackbeat invoice."""

from __future__ import annotations

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
    guid = link.dinero_guid if link else None
    if guid is None and job.is_retry:
        similar = job.dinero.similar_purchase_vouchers(payload)
        if similar.get("SimilarFound"):
            guid = similar["SimilarGuid"]
    if guid is None:
        created = job.dinero.create_purchase_voucher(payload)
        guid = created["Guid"]
        timestamp = created["TimeStamp"]
        save_link(job.connection.id, EntityKind.SUPPLIER_INVOICE, job.key, guid)
        current_status = "draft"
    else:
        save_link(job.connection.id, EntityKind.SUPPLIER_INVOICE, job.key, guid)
        current = job.dinero.get_purchase_voucher(guid)
        timestamp = current["Timestamp"]
        current_status = str(current.get("Status", "")).lower()
    number = None
    if settings.supplier_invoice_status == DineroInvoiceStatus.BOOKED:
        if current_status == "draft":
            booked = book(
                job.dinero.book_purchase_voucher, job.dinero.get_purchase_voucher, guid, timestamp
            )
            number = booked.get("VoucherNumber")
        status = "booked"
    else:
        status = "draft"
    number = str(number) if number is not None else None
    return Outcome.succeeded(
        created_in_dinero("purchase_voucher", status, number),
        dinero_guid=guid,
        dinero_number=number,
    )
