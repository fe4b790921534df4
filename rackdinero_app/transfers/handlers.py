"""One handler per kind of transfer: read from Rackbeat, map (pure), write to Dinero once.

Every Dinero object gets an identity derived from its Rackbeat source (a client-chosen Guid
where Dinero accepts one, an ExternalReference everywhere). On a retry the handler looks the
object up by that identity before writing again, so a write whose answer was lost (a timeout
after Dinero committed) is never repeated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import StaleTimestamp
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.connections import dinero_client
from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import DineroInvoiceStatus
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers.engine import request_transfer
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.identity import dinero_guid
from rackdinero_app.transfers.identity import external_reference
from rackdinero_app.transfers.links import find_link
from rackdinero_app.transfers.links import save_link
from rackdinero_app.transfers.outcome import Outcome
from rackdinero_app.transfers.snapshot import SettingsSnapshot
from rackdinero_app.transfers.snapshot import load_snapshot

NAMES_CACHE_SECONDS = 300
CUSTOMERS_OFF = "Customer integration is off (Settings > Sales and customers)."
SUPPLIERS_OFF = "Supplier integration is off (Settings > Purchases and suppliers)."


@dataclass
class TransferJob:
    """Everything a handler needs, loaded once per run."""

    transfer: Transfer
    connection: Connection
    settings: SettingsSnapshot
    rackbeat: RackbeatClient
    dinero: DineroClient

    @classmethod
    def for_transfer(cls, transfer: Transfer, connection: Connection) -> TransferJob:
        return cls(
            transfer=transfer,
            connection=connection,
            settings=load_snapshot(db.session, connection.id),
            rackbeat=rackbeat_client(connection),
            dinero=dinero_client(connection.dinero_organization_id, connection.dinero_api_key),
        )

    @property
    def key(self) -> str:
        return self.transfer.source_key

    @property
    def is_retry(self) -> bool:
        """A previous attempt ran: it may have written to Dinero before it was cut off."""
        return self.transfer.attempts > 1

    def guid(self, kind: EntityKind, key: str | None = None) -> str:
        return dinero_guid(self.connection.id, kind, key or self.key)

    def reference(self, kind: EntityKind, key: str | None = None) -> str:
        return external_reference(self.connection.rackbeat_account_id, kind, key or self.key)

    def product_groups(self) -> dict[str, str]:
        """Group names, for messages that name the group to map; cached briefly."""
        return self._names("product-groups", self.rackbeat.iter_product_groups)

    def unit_names(self) -> dict[str, str]:
        return self._names("units", self.rackbeat.iter_units)

    def _names(self, what: str, read: Callable) -> dict[str, str]:
        key = f"rackdinero:names:{self.connection.id}:{what}"
        cached = rq.redis.get(key)
        if cached is not None:
            return json.loads(cached)
        names = {str(item["number"]): item["name"] for item in read()}
        rq.redis.set(key, json.dumps(names), ex=NAMES_CACHE_SECONDS)
        return names


def _found(lookup: Callable[[], Any]) -> Any | None:
    try:
        return lookup()
    except NotFound:
        return None


# -- contacts ------------------------------------------------------------------------------


def _contact_record(job: TransferJob, kind: EntityKind, number: str) -> dict:
    if kind == EntityKind.CUSTOMER:
        return job.rackbeat.get_customer(number)
    return job.rackbeat.get_supplier(number)


def _include_number(job: TransferJob, kind: EntityKind) -> bool:
    if kind == EntityKind.CUSTOMER:
        return job.settings.customer_number_in_name
    return job.settings.supplier_number_in_name


def ensure_contact(job: TransferJob, kind: EntityKind, number: str, record=None) -> str:
    """The Dinero contact for a Rackbeat customer or supplier, created once if missing."""
    link = find_link(job.connection.id, kind, number)
    if link is not None:
        return link.dinero_guid
    guid = job.guid(kind, number)
    if job.is_retry and _found(lambda: job.dinero.get_contact(guid)) is not None:
        return save_link(job.connection.id, kind, number, guid).dinero_guid
    record = record or _contact_record(job, kind, number)
    payload = mapping.contact_payload(
        record,
        include_number=_include_number(job, kind),
        guid=guid,
        external_reference=job.reference(kind, number),
    )
    try:
        job.dinero.create_contact(payload)
    except ValidationFailed:
        # Dinero refuses a Guid in use: another transfer for the same customer created the
        # contact, or a create whose answer was lost did. Either way it is ours; link it.
        if _found(lambda: job.dinero.get_contact(guid)) is None:
            raise
    return save_link(job.connection.id, kind, number, guid).dinero_guid


def transfer_contact(job: TransferJob) -> Outcome:
    kind = job.transfer.kind
    enabled = (
        job.settings.customer_integration_enabled
        if kind == EntityKind.CUSTOMER
        else job.settings.supplier_integration_enabled
    )
    if not enabled:
        off = CUSTOMERS_OFF if kind == EntityKind.CUSTOMER else SUPPLIERS_OFF
        return Outcome.skipped("integration_off", off)
    record = _contact_record(job, kind, job.key)
    link = find_link(job.connection.id, kind, job.key)
    if link is None:
        guid = ensure_contact(job, kind, job.key, record)
        return Outcome.succeeded("Created the contact in Dinero.", dinero_guid=guid)
    payload = mapping.contact_update_payload(
        record, include_number=_include_number(job, kind), external_reference=job.reference(kind)
    )
    job.dinero.update_contact(link.dinero_guid, payload)
    return Outcome.succeeded("Updated the contact in Dinero.", dinero_guid=link.dinero_guid)


# -- products ------------------------------------------------------------------------------


def transfer_product(job: TransferJob) -> Outcome:
    if not job.settings.customer_integration_enabled:
        return Outcome.skipped("integration_off", CUSTOMERS_OFF)
    product = job.rackbeat.get_product(job.key)
    payload = mapping.product_payload(
        product,
        job.settings,
        external_reference=job.reference(EntityKind.PRODUCT),
        group_names=job.product_groups(),
        unit_names=job.unit_names(),
    )
    link = find_link(job.connection.id, EntityKind.PRODUCT, job.key)
    if link is None and job.is_retry:
        existing = job.dinero.find_product(job.reference(EntityKind.PRODUCT))
        if existing is not None:
            link = save_link(
                job.connection.id, EntityKind.PRODUCT, job.key, existing["ProductGuid"]
            )
    if link is not None:
        job.dinero.update_product(link.dinero_guid, payload)
        return Outcome.succeeded("Updated the product in Dinero.", dinero_guid=link.dinero_guid)
    created = job.dinero.create_product(payload)
    guid = save_link(job.connection.id, EntityKind.PRODUCT, job.key, created["ProductGuid"])
    return Outcome.succeeded("Created the product in Dinero.", dinero_guid=guid.dinero_guid)


# -- sales invoices ------------------------------------------------------------------------


def _line_products(job: TransferJob, lines) -> dict[str, dict]:
    numbers = {str(line["child_id"]) for line in lines if line.get("child_id") is not None}
    return {number: job.rackbeat.get_product(number) for number in numbers}


def _book(job: TransferJob, book: Callable, read: Callable, guid: str, timestamp: str):
    """Book with the TimeStamp we hold; on a stale one (code 58) re-read once, then book."""
    try:
        return book(guid, timestamp)
    except StaleTimestamp:
        current = read(guid)
        if str(current.get("Status", "")).lower() == "booked":
            return current
        return book(guid, current["TimeStamp"])  # records read keys in any casing


def transfer_customer_invoice(job: TransferJob) -> Outcome:
    settings = job.settings
    if not settings.customer_integration_enabled:
        return Outcome.skipped("integration_off", CUSTOMERS_OFF)
    if settings.invoice_direction != InvoiceDirection.RACKBEAT_TO_DINERO:
        return Outcome.skipped(
            "invoices_from_dinero",
            "Customer invoices are created in Dinero and imported into Rackbeat (Settings > "
            "Sales: direction of customer invoices), so Rackbeat's invoices are not sent.",
        )
    invoice = job.rackbeat.get_customer_invoice(job.key)
    if not invoice.get("is_booked"):
        return Outcome.skipped("not_booked", "The invoice is not booked in Rackbeat yet.")
    customer_number = str(
        invoice.get("customer_id") or (invoice.get("customer") or {}).get("number")
    )
    if customer_number in ("", "None"):
        raise InvalidSourceRecord("The invoice has no customer in Rackbeat.")
    customer = job.rackbeat.get_customer(customer_number)
    products = _line_products(job, invoice.get("lines") or [])
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
        f"Created in Dinero as a {status} invoice" + (f" no. {number}." if number else "."),
        dinero_guid=guid,
        dinero_number=number,
        follow_ups=_goods_consumption_follow_up(job),
    )


@dataclass(frozen=True)
class SalesVoucherApi:
    """Dinero's create/read/book for one kind of sales voucher (invoice or credit note)."""

    create: Callable[[dict], Any]
    read: Callable[[str], Any]
    book: Callable[[str, str], Any]


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
    existing = _found(lambda: api.read(guid)) if job.is_retry else None
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
        booked = _book(job, api.book, api.read, guid, timestamp)
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
                f"Credit note {job.key} credits invoice {credited}, which has not been "
                f"transferred to Dinero. Transfer invoice {credited} first, then retry."
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
    return Outcome.succeeded(
        f"Created in Dinero as a {status} credit note"
        + (f" no. {number}" if number else "")
        + (f" for invoice {credited}." if credited is not None else "."),
        dinero_guid=guid,
        dinero_number=number,
        follow_ups=_goods_consumption_follow_up(job),
    )


def _goods_consumption_follow_up(job: TransferJob) -> list[int]:
    if not job.settings.goods_consumption_enabled:
        return []
    transfer, created = request_transfer(
        job.connection.id, EntityKind.GOODS_CONSUMPTION, job.key, trigger="invoice"
    )
    db.session.commit()
    return [transfer.id] if created else []


def transfer_goods_consumption(job: TransferJob) -> Outcome:
    """C3: a booked manual voucher moving cost of goods sold from inventory to consumption.

    Dinero lets us neither choose a manual voucher's Guid nor list manual vouchers, so a create
    whose answer was lost cannot be checked: that case fails with instructions instead of
    risking a second voucher."""
    if not job.settings.goods_consumption_enabled:
        return Outcome.skipped("goods_consumption_off", "Automatic goods consumption is off.")
    transfer = job.transfer
    guid = transfer.dinero_guid
    if guid is None and job.is_retry and transfer.reason_code == "uncertain_write":
        return Outcome.failed(
            "uncertain_write",
            "Dinero did not confirm whether the goods-consumption voucher was created. Look "
            f"for a voucher with reference {job.reference(EntityKind.GOODS_CONSUMPTION)} in "
            "Dinero before retrying.",
        )
    if guid is None:
        invoice = job.rackbeat.get_customer_invoice(job.key)
        products = _line_products(job, invoice.get("lines") or [])
        payload = mapping.goods_consumption_payload(
            invoice,
            products,
            job.settings,
            external_reference=job.reference(EntityKind.GOODS_CONSUMPTION),
            voucher_date=date.today(),
        )
        try:
            created = job.dinero.create_manual_voucher(payload)
        except Transient as error:
            if error.may_have_succeeded:
                transfer.reason_code = "uncertain_write"
                db.session.commit()
            raise
        guid = created["Guid"]
        transfer.dinero_guid = guid
        db.session.commit()
        timestamp = created["TimeStamp"]
    else:
        current = job.dinero.get_manual_voucher(guid)
        if str(current.get("Status", "")).lower() == "booked":
            return Outcome.succeeded("Goods consumption is booked in Dinero.", dinero_guid=guid)
        timestamp = current["Timestamp"]
    booked = _book(
        job, job.dinero.book_manual_voucher, job.dinero.get_manual_voucher, guid, timestamp
    )
    number = booked.get("VoucherNumber")
    return Outcome.succeeded(
        "Booked the goods consumption in Dinero.",
        dinero_guid=guid,
        dinero_number=str(number) if number is not None else None,
    )


# -- supplier invoices ---------------------------------------------------------------------


def transfer_supplier_invoice(job: TransferJob) -> Outcome:
    settings = job.settings
    if not settings.supplier_integration_enabled:
        return Outcome.skipped("integration_off", SUPPLIERS_OFF)
    invoice = job.rackbeat.get_supplier_invoice(job.key)
    if not invoice.get("is_booked"):
        return Outcome.skipped(
            "not_booked", "The supplier invoice must be booked in Rackbeat before it is sent."
        )
    supplier_number = str(
        invoice.get("supplier_id") or (invoice.get("supplier") or {}).get("number")
    )
    supplier = job.rackbeat.get_supplier(supplier_number)
    products = _line_products(job, invoice.get("lines") or [])
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
            booked = _book(
                job,
                job.dinero.book_purchase_voucher,
                job.dinero.get_purchase_voucher,
                guid,
                timestamp,
            )
            number = booked.get("VoucherNumber")
        status = "booked"
    else:
        status = "draft"
    return Outcome.succeeded(
        f"Created in Dinero as a {status} purchase voucher"
        + (f" no. {number}." if number is not None else "."),
        dinero_guid=guid,
        dinero_number=str(number) if number is not None else None,
    )


HANDLERS: dict[EntityKind, Callable[[TransferJob], Outcome]] = {
    EntityKind.CUSTOMER: transfer_contact,
    EntityKind.SUPPLIER: transfer_contact,
    EntityKind.PRODUCT: transfer_product,
    EntityKind.CUSTOMER_INVOICE: transfer_customer_invoice,
    EntityKind.GOODS_CONSUMPTION: transfer_goods_consumption,
    EntityKind.SUPPLIER_INVOICE: transfer_supplier_invoice,
}
