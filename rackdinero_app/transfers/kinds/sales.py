"""Booked sales invoices and credit notes (C1, C4–C6): a Dinero invoice or credit note once
per Rackbeat invoice, under a Guid of our choosing, booked per C4."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.kinds.common import CUSTOMERS_OFF
from rackdinero_app.transfers.kinds.common import book
from rackdinero_app.transfers.kinds.common import created_in_dinero
from rackdinero_app.transfers.kinds.common import found
from rackdinero_app.transfers.kinds.common import line_products
from rackdinero_app.transfers.kinds.contacts import ensure_contact
from rackdinero_app.transfers.links import find_link
from rackdinero_app.transfers.links import save_link
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.outcome import Outcome


@dataclass(frozen=True)
class SalesVoucherApi:
    """Dinero's create/read/book for one kind of sales voucher (invoice or credit note)."""

    create: Callable[[dict], Any]
    read: Callable[[str], Any]
    book: Callable[[str, str], Any]


def transfer_customer_invoice(job: TransferJob) -> Outcome:
    settings = job.settings
    if not settings.customer_integration_enabled:
        return Outcome.skipped("integration_off", CUSTOMERS_OFF)
    if (imported := _imported_from_dinero(job)) is not None:
        return imported
    if settings.invoice_direction != InvoiceDirection.RACKBEAT_TO_DINERO:
        return Outcome.skipped("invoices_from_dinero", Message.of("invoices_from_dinero"))
    invoice = job.rackbeat.get_customer_invoice(job.key)
    if (guid := mapping.dinero_voucher_of(invoice)) is not None:
        return _from_dinero(guid, None)
    if not invoice.get("is_booked"):
        return Outcome.skipped("not_booked", Message.of("invoice_not_booked"))
    customer_number = str(
        invoice.get("customer_id") or (invoice.get("customer") or {}).get("number")
    )
    if customer_number in ("", "None"):
        raise InvalidSourceRecord(Message.of("invoice_without_customer"))
    customer = job.rackbeat.get_customer(customer_number)
    products = line_products(job, invoice.get("lines") or [])
    if mapping.is_credit_note(invoice):
        return _transfer_credit_note(job, invoice, customer_number, customer, products)

    def build(guid: str) -> dict:
        return mapping.invoice_payload(
            invoice,
            customer,
            job.settings,
            contact_guid=None,
            guid=guid,
            external_reference=job.reference(EntityKind.CUSTOMER_INVOICE),
            products=products,
            group_names=job.product_groups(),
            unit_names=job.unit_names(),
        )

    def check_totals(payload: dict) -> None:
        expected = mapping.expected_invoice_totals(invoice)
        mismatch = mapping.totals_match(expected, job.dinero.fetch_invoice_totals(payload))
        if mismatch is not None:
            raise mismatch

    guid, number, status = _write_sales_voucher(
        job,
        EntityKind.CUSTOMER_INVOICE,
        SalesVoucherApi(job.dinero.create_invoice, job.dinero.get_invoice, job.dinero.book_invoice),
        build,
        customer_number,
        customer,
        before_create=check_totals,
    )
    return Outcome.succeeded(
        created_in_dinero("invoice", status, number or None),
        dinero_guid=guid,
        dinero_number=number,
        follow_ups=_goods_consumption_follow_up(job),
    )


def _imported_from_dinero(job: TransferJob) -> Outcome | None:
    """An invoice the import made from a Dinero voucher is never sent back: its link under
    this Rackbeat number holds a guid other than the one this transfer would choose."""
    for kind in (EntityKind.CUSTOMER_INVOICE, EntityKind.CREDIT_NOTE):
        link = find_link(job.connection.id, kind, job.key)
        if link is not None and link.dinero_guid != job.guid(kind):
            return _from_dinero(link.dinero_guid, link.dinero_number)
    return None


def _from_dinero(guid: str, number: str | None) -> Outcome:
    document = Message.of("document_dinero_invoice", number=number or guid)
    return Outcome.skipped(
        "imported_from_dinero", Message.of("invoice_from_dinero", document=document)
    )


def _write_sales_voucher(
    job: TransferJob,
    kind: EntityKind,
    api: SalesVoucherApi,
    build_payload: Callable[[str], dict],
    customer_number: str,
    customer: dict,
    before_create: Callable[[dict], None] | None = None,
) -> tuple[str, str | None, str]:
    """Create the voucher under its own Guid (unless a lost earlier attempt already did),
    then book it per C4. Returns (guid, number, "draft" | "booked")."""
    guid = job.guid(kind)
    existing = found(lambda: api.read(guid)) if job.is_retry else None
    if existing is None:
        payload = build_payload(guid)  # a missing mapping fails before anything is written
        payload["ContactGuid"] = ensure_contact(job, EntityKind.CUSTOMER, customer_number, customer)
        if before_create is not None:
            before_create(payload)
        timestamp = api.create(payload)["TimeStamp"]
    else:
        timestamp = existing["TimeStamp"]
    save_link(job.connection.id, kind, job.key, guid)
    if job.settings.sales_invoice_status != DineroInvoiceStatus.BOOKED:
        return guid, None, "draft"
    if existing is not None and str(existing.get("Status", "")).lower() == "booked":
        booked = existing
    else:
        booked = book(api.book, api.read, guid, timestamp)
    number = str(booked["Number"]) if booked.get("Number") is not None else None
    return guid, number, "booked"


def _transfer_credit_note(job, invoice, customer_number, customer, products) -> Outcome:
    """A credited invoice becomes a Dinero credit note linked to the invoice it credits."""
    credited = invoice.get("credited_invoice_id")
    credit_note_for = None
    if credited is not None:
        original = find_link(job.connection.id, EntityKind.CUSTOMER_INVOICE, str(credited))
        if original is None:
            raise InvalidSourceRecord(
                Message.of(
                    "credited_invoice_not_transferred", credit_note=job.key, invoice=credited
                )
            )
        credit_note_for = original.dinero_guid

    def build(guid: str) -> dict:
        return mapping.credit_note_payload(
            invoice,
            customer,
            job.settings,
            contact_guid=None,
            credit_note_for=credit_note_for,
            guid=guid,
            external_reference=job.reference(EntityKind.CREDIT_NOTE),
            products=products,
            group_names=job.product_groups(),
            unit_names=job.unit_names(),
        )

    api = SalesVoucherApi(
        job.dinero.create_credit_note, job.dinero.get_credit_note, job.dinero.book_credit_note
    )
    guid, number, status = _write_sales_voucher(
        job, EntityKind.CREDIT_NOTE, api, build, customer_number, customer
    )
    credits = {"invoice": credited} if credited is not None else {}
    return Outcome.succeeded(
        created_in_dinero("credit_note", status, number or None, **credits),
        dinero_guid=guid,
        dinero_number=number,
        follow_ups=_goods_consumption_follow_up(job),
    )


def _goods_consumption_follow_up(job: TransferJob) -> list[int]:
    """C3: the goods consumption of this invoice is its own transfer, requested once."""
    if not job.settings.goods_consumption_enabled:
        return []
    transfer, created = rows.request_transfer(
        job.connection.id, EntityKind.GOODS_CONSUMPTION, job.key, trigger="invoice"
    )
    return [transfer.id] if created else []
