"""Reading a month from both systems with their list endpoints, page by page: never a request
per invoice (RC1).

Rackbeat documents no date filter on its invoice lists, so the booked invoices are read newest
booking first (``order_by=booked_at``, ``order_direction=desc``) and the reading stops once a
whole page was booked well before the month began. Dinero's sales list takes the month as
``startDate``/``endDate`` (its drafts come whatever their date).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import date
from datetime import timedelta
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.clients.dinero.client import SalesFilter
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.reconcile.compare import DineroVoucher
from rackdinero_app.reconcile.compare import Month
from rackdinero_app.reconcile.compare import RackbeatDoc
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.mapping.documents import document_date
from rackdinero_app.transfers.mapping.lines import document_label

# An invoice may be booked before its own date (dated ahead); one booked this long before the
# month began is taken to be dated before it too.
BOOKED_AHEAD = timedelta(days=14)
SALES_FIELDS = "Guid,Number,ExternalReference,Type,Status,TotalInclVat,Date"
# Called with the number of records a page held, once per request.
OnPage = Callable[[int], None]


def rackbeat_invoices(
    rackbeat: RackbeatClient, resource: str, month: Month, on_page: OnPage
) -> list[RackbeatDoc]:
    """The booked invoices of ``resource`` ("customer-invoices" or "supplier-invoices") dated
    in ``month``."""
    supplier = resource == "supplier-invoices"
    docs = []
    for invoice in _booked_newest_first(rackbeat, resource, month, on_page):
        doc = supplier_doc(invoice) if supplier else sales_doc(invoice)
        if doc is not None and month.holds(doc.date):
            docs.append(doc)
    return docs


def _booked_newest_first(rackbeat, resource, month: Month, on_page: OnPage) -> Iterator[dict]:
    """Every booked invoice down to a page booked wholly before the month (and its days booked
    ahead). The reading stops early only while the pages really come newest first: were the
    order ignored, it reads them all rather than miss one."""
    params = {"is_booked": "true", "order_by": "booked_at", "order_direction": "desc"}
    stop_before = month.first - BOOKED_AHEAD
    newest_first, seen_falling, previous = True, False, None
    for items in rackbeat.list_pages(resource, params):
        on_page(len(items))
        yield from items
        booked = [day_of(item.get("booked_at")) for item in items]
        if not booked or None in booked:
            newest_first = False  # without every booking date the order cannot be trusted
            continue
        order = booked if previous is None else [previous, *booked]
        newest_first = newest_first and order == sorted(order, reverse=True)
        seen_falling = seen_falling or order[0] > order[-1]  # the order shown, not assumed
        previous = booked[-1]
        if newest_first and seen_falling and booked[0] < stop_before:
            return


def sales_doc(invoice: Mapping[str, Any]) -> RackbeatDoc | None:
    """A customer invoice as Dinero will show it: an invoice, or a credit note (positive)."""
    label = document_label(invoice)
    try:
        credit_note = mapping.is_credit_note(invoice)
    except InvalidSourceRecord:
        credit_note = (_decimal(invoice.get("total_total")) or Decimal(0)) < 0
    kind = EntityKind.CREDIT_NOTE if credit_note else EntityKind.CUSTOMER_INVOICE
    return _doc(invoice, kind, label, sign=-1 if credit_note else 1)


def supplier_doc(invoice: Mapping[str, Any]) -> RackbeatDoc | None:
    label = document_label(invoice, "supplier invoice")
    return _doc(invoice, EntityKind.SUPPLIER_INVOICE, label, sign=1)


def _doc(invoice, kind: EntityKind, label, sign: int) -> RackbeatDoc | None:
    number = invoice.get("number")
    if number is None:
        return None
    try:
        day = date.fromisoformat(document_date(invoice, label))
    except (InvalidSourceRecord, ValueError):
        day = None
    total, problem = _total(invoice, label)
    lines = invoice.get("lines") or []
    return RackbeatDoc(
        kind=kind,
        number=str(number),
        date=day,
        total=None if total is None else sign * total,
        tolerance=Decimal("0.01") * (len(lines) + 1),
        currency=invoice.get("currency"),
        total_problem=problem,
    )


def _total(invoice, label) -> tuple[Decimal | None, tuple[str, dict] | None]:
    """Rackbeat's total incl. VAT: as it sends it, else from its lines and VAT."""
    sent = _decimal(invoice.get("total_total"))
    if sent is not None:
        return sent, None
    try:
        return mapping.expected_invoice_totals(invoice).incl_vat, None
    except InvalidSourceRecord as error:
        return None, ("rc_total_unknown", {"reason": _nested(error.explanation)})


def _nested(message) -> dict[str, Any]:
    return {"code": message.code, "params": message.json_params()}


def dinero_sales(dinero: DineroClient, month: Month, on_page: OnPage) -> list[DineroVoucher]:
    """Dinero's invoices and credit notes of the month, and its drafts."""
    filters = SalesFilter(
        fields=SALES_FIELDS,
        start_date=month.first.isoformat(),
        end_date=month.last.isoformat(),
    )
    vouchers = []
    for items in dinero.sales_pages(filters):
        on_page(len(items))
        vouchers.extend(_voucher(item) for item in items if item.get("Guid"))
    return vouchers


def _voucher(item: Mapping[str, Any]) -> DineroVoucher:
    draft = str(item.get("Status") or "").lower() == "draft"
    number = item.get("Number")
    return DineroVoucher(
        guid=str(item["Guid"]),
        number=None if draft or not number else str(number),
        status="draft" if draft else "booked",
        total=_decimal(item.get("TotalInclVat")),
        date=day_of(item.get("Date")),
        reference=item.get("ExternalReference"),
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def day_of(value: Any) -> date | None:
    """The date a Dinero or Rackbeat date or datetime names, or None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
