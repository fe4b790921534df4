"""Products: a Dinero product per Rackbeat product, needed by sales and supplier invoices."""

from __future__ import annotations

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.transfers import mapping
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.links import find_link
from rackdinero_app.transfers.links import save_link
from rackdinero_app.transfers.messages import Message
from rackdinero_app.transfers.outcome import Outcome


def transfer_product(job: TransferJob) -> Outcome:
    settings = job.settings
    if not (settings.customer_integration_enabled or settings.supplier_integration_enabled):
        return Outcome.skipped("integration_off", Message.of("products_off"))
    product = job.rackbeat.get_product(job.key)
    payload = mapping.product_payload(
        product,
        settings,
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
        return Outcome.succeeded(Message.of("product_updated"), dinero_guid=link.dinero_guid)
    created = job.dinero.create_product(payload)
    guid = save_link(job.connection.id, EntityKind.PRODUCT, job.key, created["ProductGuid"])
    return Outcome.succeeded(Message.of("product_created"), dinero_guid=guid.dinero_guid)
