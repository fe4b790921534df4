"""The hourly import of invoices from Dinero (C5): the schedule's job asks for one run per
connection; each run is its own job, recorded on its ``SyncRun`` row."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from rackdinero_app.jobs import job
from rackdinero_app.transfers import invoice_import
from rackdinero_app.transfers import troubleshoot

log = logging.getLogger(__name__)

SCHEDULER = "schedule"  # who asked for a scheduled run (``SyncRun.requested_by``)


@job
def start_hourly_imports() -> dict[str, int]:
    """At 13 minutes past every hour: queue a run for every connection that imports, unless
    one is queued or running already."""
    queued = already = 0
    for connection_id in invoice_import.importing_connections():
        try:
            _, created = invoice_import.request_run(connection_id, requested_by=SCHEDULER)
        except RedisError:
            log.warning("Could not queue the invoice import of connection %s", connection_id)
            continue
        queued, already = queued + created, already + (not created)
    return {"queued": queued, "already_running": already}


@job
def import_invoices(run_id: int) -> None:
    invoice_import.run_import(run_id)


@job
def import_by_number(lookup_id: str) -> None:
    troubleshoot.run_dinero_lookup(lookup_id)
