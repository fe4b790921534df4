"""Periodic jobs: declared in one place, enqueued once per interval however many workers run."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Settings
from rackdinero_app.models import SyncRun
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import SyncState
from rackdinero_app.tasks import cron
from rackdinero_app.tasks.invoice_import import start_hourly_imports
from rackdinero_app.worker import LeaderCron

pytestmark = pytest.mark.redis

SWEEP = "rackdinero_app.tasks.transfers.sweep"
HOURLY_IMPORT = "rackdinero_app.tasks.invoice_import.start_hourly_imports"
IMPORT_JOB = "rackdinero_app.tasks.invoice_import.import_invoices"


def queued() -> list[str]:
    return [job.func_name for job in rq.queue().jobs]


def scheduler(app) -> LeaderCron:
    return cron.declare(LeaderCron(connection=rq.redis), app.config)


def declared(app) -> dict:
    return {job.func_name: job for job in scheduler(app).get_jobs()}


def test_every_periodic_job_is_declared_with_its_interval_and_timeout(app):
    sweep = declared(app)[SWEEP]
    assert sweep.interval == app.config["SWEEP_INTERVAL_SECONDS"]
    assert sweep.job_options["job_timeout"] == cron.SWEEP_TIMEOUT_SECONDS


def test_only_the_worker_holding_the_lease_enqueues_and_another_takes_over(app):
    app.config["SWEEP_INTERVAL_SECONDS"] = 1
    first, second = scheduler(app), scheduler(app)

    assert SWEEP in [job.func_name for job in first.enqueue_jobs()]
    assert second.enqueue_jobs() == []  # follows the schedule without enqueueing
    assert first.enqueue_jobs() == []  # not due again yet
    assert queued().count(SWEEP) == 1

    first.resign()  # its worker stopped
    time.sleep(1.1)
    assert SWEEP in [job.func_name for job in second.enqueue_jobs()]
    time.sleep(1.1)
    assert first.enqueue_jobs() == []  # the lease is the other worker's now
    assert queued().count(SWEEP) == 2


def test_the_hourly_import_is_declared_at_13_minutes_past_with_its_timeout(app):
    hourly = declared(app)[HOURLY_IMPORT]

    assert hourly.cron == "13 * * * *"
    assert hourly.interval is None
    assert hourly.job_options["job_timeout"] == cron.HOURLY_IMPORT_TIMEOUT_SECONDS
    assert hourly.next_enqueue_time.minute == 13


def test_the_hourly_job_queues_one_run_for_each_connection_that_imports(app, make_connection):
    importing, sending, off = (make_connection().id for _ in range(3))
    for connection_id, direction, customers_on in (
        (importing, InvoiceDirection.DINERO_TO_RACKBEAT, True),
        (sending, InvoiceDirection.RACKBEAT_TO_DINERO, True),
        (off, InvoiceDirection.DINERO_TO_RACKBEAT, False),
    ):
        db.session.add(
            Settings(
                connection_id=connection_id,
                invoice_direction=direction,
                customer_integration_enabled=customers_on,
            )
        )
    db.session.commit()

    assert start_hourly_imports() == {"queued": 1, "already_running": 0}
    assert start_hourly_imports() == {"queued": 0, "already_running": 1}

    (run,) = db.session.scalars(sa.select(SyncRun)).all()
    assert (run.connection_id, run.state, run.requested_by) == (
        importing,
        SyncState.PENDING,
        "schedule",
    )
    (queued_job,) = rq.queue().jobs
    assert (queued_job.func_name, queued_job.args) == (IMPORT_JOB, (run.id,))
    assert queued_job.timeout == 2700
