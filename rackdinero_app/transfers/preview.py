"""Dry run of an invoice (PV1): what a transfer would send to Dinero, and everything that
would stop it, without writing anything anywhere.

It reads from Rackbeat what the transfer reads and builds the payload with the transfer's own
mapping functions, so the preview is what the transfer will send. Its only Dinero request is
the totals fetch of a sales invoice or credit note (nothing is saved there); a supplier
invoice's totals are the app's own computation, as the voucher's VAT comes from the accounts.
A ``TransferJob`` is built around a transient ``Transfer`` that never reaches the session, so
no transfer row, link, contact or product is ever created.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.engine import client_message
from rackdinero_app.transfers.errors import MissingMapping
from rackdinero_app.transfers.errors import TransferError
from rackdinero_app.transfers.kinds.common import CUSTOMERS_OFF
from rackdinero_app.transfers.kinds.common import SUPPLIERS_OFF
from rackdinero_app.transfers.links import find_link
from rackdinero_app.transfers.mapping.documents import document_date
from rackdinero_app.transfers.mapping.documents import vat_total
from rackdinero_app.transfers.mapping.lines import document_label
from rackdinero_app.transfers.mapping.lines import lines_total
from rackdinero_app.transfers.mapping.values import labelled
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.preview_lines import Contact
from rackdinero_app.transfers.preview_lines import LineChoices
from rackdinero_app.transfers.preview_lines import Preview
from rackdinero_app.transfers.preview_lines import explain_lines
from rackdinero_app.transfers.preview_lines import overlay_purchase
from rackdinero_app.transfers.preview_lines import overlay_sales

PREVIEWABLE = (EntityKind.CUSTOMER_INVOICE, EntityKind.SUPPLIER_INVOICE)


def preview(connection: Connection, kind: EntityKind, number: str) -> Preview:
    """The dry run of Rackbeat invoice ``number`` (``kind``: a sales or supplier invoice)."""
    if kind not in PREVIEWABLE:
        raise ValueError(f"{kind} cannot be previewed")
    result = Preview(kind, number)
    transfer = Transfer(connection_id=connection.id, kind=kind, source_key=number, attempts=0)
    job = TransferJob.for_transfer(transfer, connection)
    _connection_blockers(connection, result)
    try:
        (_sales if kind == EntityKind.CUSTOMER_INVOICE else _supplier)(job, result)
    except ClientError as error:
        result.error = client_message(error)
    assert sa.inspect(transfer).transient  # never added: the preview writes no transfer row
    return result


def dinero_web_link(connection: Connection, guid: str) -> str:
    return current_app.config["DINERO_WEB_LINK"].format(
        organization_id=connection.dinero_organization_id, guid=guid
    )


def _connection_blockers(connection: Connection, result: Preview) -> None:
    if connection.state == ConnectionState.PAUSED:
        result.block(Message.of("connection_paused"))
    elif connection.state != ConnectionState.ACTIVE:
        result.block(Message.of("connection_not_active"))


def _attempt(result: Preview, build: Callable[[], Any]) -> Any:
    """``build()``, or None with what stops it kept (every fix of a missing mapping)."""
    try:
        return build()
    except MissingMapping as error:
        result.block(*error.fixes)
    except TransferError as error:
        result.block(error.explanation)
    return None


def _read(result: Preview, read: Callable[[], dict], document: Message) -> dict | None:
    try:
        return read()
    except NotFound:
        result.block(Message.of("preview_not_found", document=document))
        return None


def _quietly(build: Callable[[], Any]) -> Any:
    """``build()``, or None: for figures the transfer does not check, so nothing blocks."""
    try:
        return build()
    except TransferError:
        return None


def _sales_settings(job: TransferJob, result: Preview) -> None:
    """What stops a sales invoice before it is read: the settings, and a link saying the
    invoice came from Dinero (never sent back) or was sent already (never sent twice)."""
    if not job.settings.customer_integration_enabled:
        result.block(CUSTOMERS_OFF)
    if job.settings.invoice_direction != InvoiceDirection.RACKBEAT_TO_DINERO:
        result.block(Message.of("invoices_from_dinero"))
    for kind in (EntityKind.CUSTOMER_INVOICE, EntityKind.CREDIT_NOTE):
        link = find_link(job.connection.id, kind, job.key)
        if link is not None and link.dinero_guid != job.guid(kind):
            result.block(_from_dinero(link.dinero_guid, link.dinero_number))
        elif link is not None:
            result.existing = link


def _sales(job: TransferJob, result: Preview) -> None:
    """A sales invoice or credit note: read, explained, built, and its totals fetched."""
    _sales_settings(job, result)
    document = document_label({"number": job.key})
    invoice = _read(result, lambda: job.rackbeat.get_customer_invoice(job.key), document)
    if invoice is None:
        return
    result.found = True
    if (guid := mapping.dinero_voucher_of(invoice)) is not None:
        result.block(_from_dinero(guid, None))
    if not invoice.get("is_booked"):
        result.block(Message.of("invoice_not_booked"))
    credit = bool(_attempt(result, lambda: mapping.is_credit_note(invoice)))
    result.document = EntityKind.CREDIT_NOTE if credit else EntityKind.CUSTOMER_INVOICE
    document = document_label(invoice, "credit note" if credit else "invoice")
    _header(job, result, invoice, document)
    number = str(invoice.get("customer_id") or (invoice.get("customer") or {}).get("number"))
    if number in ("", "None"):
        result.block(Message.of("invoice_without_customer"))
        customer = None
    else:
        customer = _contact(job, result, EntityKind.CUSTOMER, number)
    credit_note_for = _credited(job, result, invoice) if credit else None
    products = _products(job, invoice)
    sign = -1 if credit else 1
    _explain(job, result, invoice, document, products, sales=True, sign=sign)
    result.rackbeat_totals = _rackbeat_sales_totals(result, invoice, credit)
    if customer is None:
        return
    result.payload = _attempt(
        result, lambda: _sales_payload(job, invoice, customer, products, credit, credit_note_for)
    )
    if result.payload is not None:
        overlay_sales(result.lines, result.payload)
        result.payload["ContactGuid"] = result.contact.dinero_guid
        _sales_totals(job, result, invoice, credit)


def _sales_payload(job, invoice, customer, products, credit: bool, credit_note_for) -> dict:
    """The body the transfer builds (its ContactGuid is set once the contact is known)."""
    kind = EntityKind.CREDIT_NOTE if credit else EntityKind.CUSTOMER_INVOICE
    common = {
        "contact_guid": None,
        "guid": job.guid(kind),
        "external_reference": job.reference(kind),
        "products": products,
        "group_names": job.product_groups(),
        "unit_names": job.unit_names(),
        "layout_names": job.layout_names(),
    }
    if credit:
        return mapping.credit_note_payload(
            invoice, customer, job.settings, credit_note_for=credit_note_for, **common
        )
    return mapping.invoice_payload(invoice, customer, job.settings, **common)


def _from_dinero(guid: str, number: str | None) -> Message:
    document = Message.of("document_dinero_invoice", number=number or guid)
    return Message.of("invoice_from_dinero", document=document)


def _header(job: TransferJob, result: Preview, invoice: dict, document: Message) -> None:
    """Date, currency, language (and the layout that chose it) and due date, each as far as
    Rackbeat's record gives it; what cannot be read is kept as a blocker."""
    result.date = _attempt(result, lambda: document_date(invoice, document))
    currency = text(invoice.get("currency"))
    result.currency = currency.upper() if currency else None
    result.due_date = text(invoice.get("due_date"))
    if result.kind == EntityKind.CUSTOMER_INVOICE:
        layout = invoice.get("layout_id")
        if text(layout) is not None:
            result.layout = labelled(layout, job.layout_names())  # "Engelsk" (2)
        result.language = _attempt(
            result, lambda: mapping.invoice_language_for(job.settings, layout, job.layout_names())
        )


def _contact(job: TransferJob, result: Preview, kind: EntityKind, number: str) -> dict | None:
    """The customer or supplier; its contact exists in Dinero (the app's link) or gets the
    name the transfer would give it. None when Rackbeat has no such record."""
    read = job.rackbeat.get_customer if kind == EntityKind.CUSTOMER else job.rackbeat.get_supplier
    try:
        record = read(number)
    except NotFound:
        record = None
        result.block(Message.of(f"preview_{kind}_not_found", number=number))
    result.contact = Contact(number)
    if record is None:
        return None
    link = find_link(job.connection.id, kind, number)
    include = (
        job.settings.customer_number_in_name
        if kind == EntityKind.CUSTOMER
        else job.settings.supplier_number_in_name
    )
    result.contact.name = _attempt(result, lambda: mapping.contact_name(record, include))
    if link is not None:
        result.contact.dinero_guid = link.dinero_guid
    else:  # the contact the transfer would create: refused now if Dinero would refuse it
        _attempt(result, lambda: _new_contact(job, kind, number, record, include))
    result.zone = _attempt(result, lambda: mapping.vat_zone_of(record))
    return record


def _new_contact(job: TransferJob, kind: EntityKind, number: str, record, include: bool):
    return mapping.contact_payload(
        record,
        include_number=include,
        guid=job.guid(kind, number),
        external_reference=job.reference(kind, number),
    )


def _credited(job: TransferJob, result: Preview, invoice: dict) -> str | None:
    """The Dinero guid of the invoice a credit note credits; its absence stops the transfer."""
    credited = invoice.get("credited_invoice_id")
    if credited is None:
        return None
    result.credits = str(credited)
    original = find_link(job.connection.id, EntityKind.CUSTOMER_INVOICE, str(credited))
    if original is None:
        result.block(
            Message.of("credited_invoice_not_transferred", credit_note=job.key, invoice=credited)
        )
        return None
    return original.dinero_guid


def _products(job: TransferJob, invoice: dict) -> dict[str, dict]:
    """The lines' products, as ``line_products`` reads them; one Rackbeat no longer has is
    left out, so its line names it (``line_product_not_found``)."""
    products = {}
    for number in mapping.product_numbers(invoice.get("lines") or []):
        try:
            products[number] = job.rackbeat.get_product(number)
        except NotFound:
            continue
    return products


def _explain(job, result, invoice, document, products, *, sales, sign=1) -> None:
    if not invoice.get("lines"):
        result.block(Message.of("invoice_without_lines", document=document))
    choices = LineChoices(
        job.settings,
        result.zone,
        products,
        job.product_groups(),
        job.unit_names() if sales else {},
        sales=sales,
        sign=sign,
    )
    result.lines = explain_lines(invoice, document, choices)
    for line in result.lines:
        result.block(*line.problems)


def _sales_totals(job: TransferJob, result: Preview, invoice: dict, credit: bool) -> None:
    """Dinero's own totals (its fetch: the preview's one Dinero request) against Rackbeat's,
    with the transfer's tolerance; a sales invoice whose totals differ is not sent."""
    fetch = job.dinero.fetch_credit_note_totals if credit else job.dinero.fetch_invoice_totals
    try:
        fetched = fetch(result.payload)
    except ValidationFailed as error:  # Dinero would refuse the transfer's create alike
        result.block(client_message(error))
        return
    answer = {str(name).lower(): value for name, value in fetched.items()}
    result.totals = mapping.InvoiceTotals(
        *(Decimal(str(answer[name])) for name in ("totalexclvat", "totalvat", "totalinclvat"))
    )
    _compare(result, result.rackbeat_totals, block=not credit)


def _rackbeat_sales_totals(result: Preview, invoice: dict, credit: bool):
    """Rackbeat's totals (Dinero's signs); the transfer checks an invoice's only."""
    if credit:
        return _quietly(lambda: mapping.expected_credit_note_totals(invoice))
    return _attempt(result, lambda: mapping.expected_invoice_totals(invoice))


def _compare(result: Preview, expected: mapping.InvoiceTotals | None, *, block: bool) -> None:
    if expected is None or result.totals is None:
        return
    totals = result.totals
    shown = {
        "TotalExclVat": totals.excl_vat,
        "TotalVat": totals.vat,
        "TotalInclVat": totals.incl_vat,
    }
    mismatch = mapping.totals_match(expected, shown)
    result.totals_agree = mismatch is None
    if mismatch is not None and block:
        result.block(mismatch.explanation)


def _supplier(job: TransferJob, result: Preview) -> None:
    """A supplier invoice: read, explained, built; its totals are the app's computation."""
    settings = job.settings
    if not settings.supplier_integration_enabled:
        result.block(SUPPLIERS_OFF)
    result.existing = find_link(job.connection.id, EntityKind.SUPPLIER_INVOICE, job.key)
    document = document_label({"number": job.key}, "supplier invoice")
    invoice = _read(result, lambda: job.rackbeat.get_supplier_invoice(job.key), document)
    if invoice is None:
        return
    result.found, result.document = True, EntityKind.SUPPLIER_INVOICE
    if not invoice.get("is_booked"):
        result.block(Message.of("supplier_invoice_not_booked"))
    _header(job, result, invoice, document)
    number = text(invoice.get("supplier_id") or (invoice.get("supplier") or {}).get("number"))
    supplier = None
    if number is None:
        result.block(Message.of("supplier_invoice_without_supplier", number=invoice.get("number")))
    else:
        supplier = _contact(job, result, EntityKind.SUPPLIER, number)
    products = _products(job, invoice)
    _explain(job, result, invoice, document, products, sales=False)
    result.rackbeat_totals = _quietly(lambda: _rackbeat_purchase_totals(invoice, document))
    if supplier is None:
        return
    result.payload = _attempt(
        result,
        lambda: mapping.purchase_voucher_payload(
            invoice,
            supplier,
            settings,
            contact_guid=result.contact.dinero_guid,
            external_reference=job.reference(EntityKind.SUPPLIER_INVOICE),
            products=products,
            group_names=job.product_groups(),
        ),
    )
    if result.payload is not None:
        overlay_purchase(result.lines, result.payload)
        result.due_date = result.payload["PaymentDate"]
        _purchase_totals(result)


def _purchase_totals(result: Preview) -> None:
    """The app's computation (Dinero is not asked): the lines excl. VAT, and what the voucher's
    lines carry incl. VAT (``mapping/purchases.py``); the difference is the VAT."""
    excl = sum((line.total for line in result.lines), Decimal(0))
    incl = sum((line.amount_incl_vat for line in result.lines), Decimal(0))
    result.totals = mapping.InvoiceTotals(excl, incl - excl, incl, len(result.lines))
    # The transfer does not compare a supplier invoice's totals: shown, never a blocker.
    _compare(result, result.rackbeat_totals, block=False)


def _rackbeat_purchase_totals(invoice: dict, document: Message) -> mapping.InvoiceTotals:
    lines = lines_total(invoice, document)
    vat = vat_total(invoice, lines, document)
    return mapping.InvoiceTotals(lines, vat, lines + vat, len(invoice.get("lines") or []))
