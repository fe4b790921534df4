"""Customers and suppliers (C1, P1): a Dinero contact per Rackbeat record, kept up to date."""

from __future__ import annotations

from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.kinds.common import CUSTOMERS_OFF
from rackdinero_app.transfers.kinds.common import SUPPLIERS_OFF
from rackdinero_app.transfers.kinds.common import found
from rackdinero_app.transfers.links import find_link
from rackdinero_app.transfers.links import save_link
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.outcome import Outcome


def _record(job: TransferJob, kind: EntityKind, number: str) -> dict:
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
    if job.is_retry and found(lambda: job.dinero.get_contact(guid)) is not None:
        return save_link(job.connection.id, kind, number, guid).dinero_guid
    record = record or _record(job, kind, number)
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
        if found(lambda: job.dinero.get_contact(guid)) is None:
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
    record = _record(job, kind, job.key)
    link = find_link(job.connection.id, kind, job.key)
    if link is None:
        guid = ensure_contact(job, kind, job.key, record)
        return Outcome.succeeded(Message.of("contact_created"), dinero_guid=guid)
    payload = mapping.contact_update_payload(
        record, include_number=_include_number(job, kind), external_reference=job.reference(kind)
    )
    job.dinero.update_contact(link.dinero_guid, payload)
    return Outcome.succeeded(Message.of("contact_updated"), dinero_guid=link.dinero_guid)
