"""Goods consumption (C3): a booked manual voucher moving the cost of the goods sold from the
inventory account to the goods-consumption account, dated like the invoice."""

from __future__ import annotations

from rackdinero_app.clients.errors import Transient
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.kinds.common import book
from rackdinero_app.transfers.kinds.common import line_products
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.outcome import Outcome


def transfer_goods_consumption(job: TransferJob) -> Outcome:
    """Dinero lets us neither choose a manual voucher's Guid nor find a draft manual voucher by
    anything of ours, so a create whose answer was lost (a timeout, or "201, empty body")
    cannot be checked: that attempt fails at once with instructions instead of risking a
    second voucher. (The engine would replace a reason remembered for a later attempt with
    its own "retrying", so the failure is the attempt's own outcome.) Retry, once a person
    has looked in Dinero, creates it."""
    if not job.settings.goods_consumption_enabled:
        return Outcome.skipped("goods_consumption_off", Message.of("goods_consumption_off"))
    transfer = job.transfer
    guid = transfer.dinero_guid
    if guid is None:
        invoice = job.rackbeat.get_customer_invoice(job.key)
        products = line_products(job, invoice.get("lines") or [])
        # The voucher carries the invoice's date, so a late or retried transfer lands in the
        # invoice's period.
        payload = mapping.goods_consumption_payload(
            invoice,
            products,
            job.settings,
            external_reference=job.reference(EntityKind.GOODS_CONSUMPTION),
        )
        try:
            created = job.dinero.create_manual_voucher(payload)
        except Transient as error:
            if not error.may_have_succeeded:
                raise
            reference = job.reference(EntityKind.GOODS_CONSUMPTION)
            return Outcome.failed(
                "uncertain_write", Message.of("uncertain_write", reference=reference)
            )
        guid = created["Guid"]
        rows.remember(transfer.id, dinero_guid=guid)
        timestamp = created["TimeStamp"]
    else:
        current = job.dinero.get_manual_voucher(guid)
        if str(current.get("Status", "")).lower() == "booked":
            return Outcome.succeeded(
                Message.of("goods_consumption_already_booked"), dinero_guid=guid
            )
        timestamp = current["Timestamp"]
    booked = book(job.dinero.book_manual_voucher, job.dinero.get_manual_voucher, guid, timestamp)
    number = booked.get("VoucherNumber")
    return Outcome.succeeded(
        Message.of("goods_consumption_booked"),
        dinero_guid=guid,
        dinero_number=str(number) if number is not None else None,
    )
