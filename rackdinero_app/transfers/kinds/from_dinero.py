"""Dinero invoices and sales credit notes → booked Rackbeat customer invoices (C5, from Dinero).

The source key is the Dinero voucher's guid. The handler reads the voucher, finds or creates its
customer and products in Rackbeat (each linked once, by ``EntityLink``), and creates the invoice
booked, with ``suppress_webhooks`` so Rackbeat tells nobody (the app included).

Exactly once: the invoice's note carries the voucher's guid (``mapping.from_dinero``). On any
attempt after the first, the customer's invoices are searched for it before creating, so an
invoice whose answer was lost (a timeout after Rackbeat committed) is linked, not made twice.
"""

from __future__ import annotations

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import VatZone
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.errors import MissingMapping
from rackdinero_app.transfers.errors import NothingToTransfer
from rackdinero_app.transfers.kinds.common import CUSTOMERS_OFF
from rackdinero_app.transfers.kinds.common import found
from rackdinero_app.transfers.links import find_link
from rackdinero_app.transfers.links import owner_of
from rackdinero_app.transfers.links import save_link
from rackdinero_app.transfers.mapping import from_dinero as mapping
from rackdinero_app.transfers.mapping.choices import vat_zone_of
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.outcome import Outcome


def import_sales_voucher(job: TransferJob) -> Outcome:
    """Import one booked Dinero invoice or credit note (the transfer's kind says which)."""
    settings = job.settings
    if not settings.customer_integration_enabled:
        return Outcome.skipped("integration_off", CUSTOMERS_OFF)
    if settings.invoice_direction != InvoiceDirection.DINERO_TO_RACKBEAT:
        return Outcome.skipped("invoices_to_dinero", Message.of("invoices_to_dinero"))
    kind = job.transfer.kind
    voucher = _read_voucher(job, kind)
    document = mapping.voucher_label(kind, voucher)
    dinero_number = str(voucher.get("Number") or "") or None
    if mapping.came_from_rackbeat(voucher, job.connection.rackbeat_account_id):
        raise NothingToTransfer(Message.of("came_from_rackbeat", document=document))
    linked = owner_of(job.connection.id, kind, job.key)
    if linked is not None:  # an earlier attempt got as far as the link
        return _imported(kind, linked.rackbeat_key, None, job.key, dinero_number)
    if not mapping.is_booked(voucher):
        raise NothingToTransfer(Message.of("dinero_draft", document=document))
    credited = None
    if kind == EntityKind.CREDIT_NOTE and voucher.get("CreditNoteFor"):
        credited = _credited_invoice(job, document, str(voucher["CreditNoteFor"]).lower())
        if isinstance(credited, Outcome):
            return credited
    customer_number, zone = _rackbeat_customer(job, str(voucher.get("ContactGuid") or ""))
    invoice = _earlier_import(job, customer_number) if job.is_retry else None
    if invoice is None:
        products = _rackbeat_products(job, voucher, document, zone)
        invoice = job.rackbeat.create_customer_invoice(
            mapping.customer_invoice_body(
                kind,
                voucher,
                customer_number=customer_number,
                product_numbers=products,
                credited_invoice=credited,
            )
        )
    number = str(invoice["number"])
    save_link(job.connection.id, kind, number, job.key, dinero_number)
    return _imported(kind, number, credited, job.key, dinero_number)


def _imported(
    kind: EntityKind, number: str, credited: str | None, guid: str, dinero_number: str | None
) -> Outcome:
    if kind == EntityKind.CREDIT_NOTE and credited is not None:
        message = Message.of("imported_credit_note_for", number=number, invoice=credited)
    elif kind == EntityKind.CREDIT_NOTE:
        message = Message.of("imported_credit_note", number=number)
    else:
        message = Message.of("imported_invoice", number=number)
    return Outcome.succeeded(message, dinero_guid=guid, dinero_number=dinero_number)


def _read_voucher(job: TransferJob, kind: EntityKind):
    if kind == EntityKind.CREDIT_NOTE:
        return job.dinero.get_credit_note(job.key)
    return job.dinero.get_invoice(job.key)


def _credited_invoice(job: TransferJob, document: Message, invoice_guid: str) -> str | Outcome:
    """The Rackbeat number of the invoice a credit note credits; while that invoice's own import
    is still under way, an outcome that waits for it."""
    link = owner_of(job.connection.id, EntityKind.CUSTOMER_INVOICE, invoice_guid)
    if link is not None:
        return link.rackbeat_key
    original = found(lambda: job.dinero.get_invoice(invoice_guid))
    invoice = (original or {}).get("Number") or invoice_guid
    if _import_under_way(job.connection.id, invoice_guid):
        waiting = Message.of("waiting_for_credited_invoice", credit_note=document, invoice=invoice)
        return Outcome.retry(waiting, reason_code="waiting_for_invoice")
    raise InvalidSourceRecord(
        Message.of("credited_invoice_not_imported", credit_note=document, invoice=invoice)
    )


def _import_under_way(connection_id: int, invoice_guid: str) -> bool:
    key = rows.idempotency_key(
        EntityKind.CUSTOMER_INVOICE, invoice_guid, "", TransferDirection.DINERO_TO_RACKBEAT
    )
    state = db.session.scalar(
        sa.select(Transfer.state).where(
            Transfer.connection_id == connection_id, Transfer.idempotency_key == key
        )
    )
    return state in rows.OPEN_STATES


def _rackbeat_customer(job: TransferJob, contact_guid: str) -> tuple[str, VatZone]:
    """The Rackbeat customer for a Dinero contact: the linked one, else the one with the same
    e-mail address, else a new one; linked from now on. Returns its number and VAT zone."""
    link = owner_of(job.connection.id, EntityKind.CUSTOMER, contact_guid.lower())
    if link is not None:
        customer = job.rackbeat.get_customer(link.rackbeat_key)
        return str(customer["number"]), vat_zone_of(customer)
    contact = job.dinero.get_contact(contact_guid)
    email = text(contact.get("Email"))
    if email is None:
        raise InvalidSourceRecord(Message.of("contact_without_email", name=contact.get("Name")))
    customer = _customer_with_email(job, email)
    if customer is None:
        terms = sorted((int(t["number"]), t.get("days")) for t in job.rackbeat.iter_payment_terms())
        customer = job.rackbeat.create_customer(mapping.customer_body(contact, terms))
    save_link(job.connection.id, EntityKind.CUSTOMER, str(customer["number"]), contact_guid.lower())
    return str(customer["number"]), vat_zone_of(customer)


def _customer_with_email(job: TransferJob, email: str) -> dict | None:
    """The Rackbeat customer whose e-mail address is this one (any case). The filter narrows
    the list where Rackbeat supports it; the comparison here is what decides."""
    customers = job.rackbeat.iter_customers(**{"simple_filter[contact_email]": email})
    wanted = email.lower()
    return next(
        (c for c in customers if (text(c.get("contact_email")) or "").lower() == wanted), None
    )


def _earlier_import(job: TransferJob, customer_number: str) -> dict | None:
    """The invoice an earlier attempt created (its note names this voucher), if any."""
    invoices = job.rackbeat.iter_customer_invoices(customer_number=customer_number)
    return next((i for i in invoices if mapping.dinero_voucher_of(i) == job.key.lower()), None)


def _rackbeat_products(job: TransferJob, voucher, document: Message, zone: VatZone) -> dict:
    """The Rackbeat product number for each Dinero product on the voucher's lines."""
    numbers: dict[str, str] = {}
    fixes: list[Message] = []
    for line in mapping.product_lines(voucher, document):
        guid = str(line["ProductGuid"]).lower()
        if guid in numbers:
            continue
        try:
            numbers[guid] = _rackbeat_product(job, guid, line.get("AccountNumber"), zone)
        except MissingMapping as error:
            fixes.extend(error.fixes)
    if fixes:
        raise MissingMapping(fixes)
    return numbers


def _rackbeat_product(job: TransferJob, guid: str, account, zone: VatZone) -> str:
    """The linked product, else the one with the Dinero product number, else a new one in the
    product group whose revenue account is the line's; linked from now on."""
    link = owner_of(job.connection.id, EntityKind.PRODUCT, guid)
    if link is not None:
        return link.rackbeat_key
    product = job.dinero.get_product(guid)
    number = text(product.get("ProductNumber"))
    if number is None:
        raise InvalidSourceRecord(
            Message.of("dinero_product_without_number", name=product.get("Name"))
        )
    if found(lambda: job.rackbeat.get_product(number)) is None:
        group = mapping.group_for_account(job.settings, account, zone)
        if group is None:
            fix = Message.of(
                "map_group_for_new_product",
                number=number,
                name=product.get("Name"),
                account=account,
            )
            raise MissingMapping([fix])
        unit = mapping.rackbeat_unit_for(job.settings, product.get("Unit"))
        job.rackbeat.create_product(mapping.product_body(product, group=group, unit=unit))
    if find_link(job.connection.id, EntityKind.PRODUCT, number) is None:
        save_link(job.connection.id, EntityKind.PRODUCT, number, guid)
    return number
