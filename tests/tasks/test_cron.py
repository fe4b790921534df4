"""Periodic jobs: declared in one place, enqueued once per interval however many workers run."""

from __future__ import annotations

import time

import pytest

from rackdinero_app.extensions import rq
from rackdinero_app.tasks import cron
from rackdinero_app.worker import LeaderCron

pytestmark = pytest.mark.redis

SWEEP = "rackdinero_app.tasks.transfers.sweep"


def queued() -> list[str]:
    return [job.func_name for job in rq.queue().jobs]


def scheduler(app) -> LeaderCron:
    return cron.declare(LeaderCron(connection=rq.redis), app.config)


def test_every_periodic_job_is_declared_with_its_interval_and_timeout(app):
    (sweep,) = scheduler(app).get_jobs()
    assert sweep.func_name == SWEEP
    assert sweep.interval == app.config["SWEEP_INTERVAL_SECONDS"]
    assert sweep.job_options["job_timeout"] == cron.SWEEP_TIMEOUT_SECONDS


def test_only_the_worker_holding_the_lease_enqueues_and_another_takes_over(app):
    app.config["SWEEP_INTERVAL_SECONDS"] = 1
    first, second = scheduler(app), scheduler(app)

    assert [job.func_name for job in first.enqueue_jobs()] == [SWEEP]
    assert second.enqueue_jobs() == []  # follows the schedule without enqueueing
    assert first.enqueue_jobs() == []  # not due again yet
    assert queued() == [SWEEP]

    first.resign()  # its worker stopped
    time.sleep(1.1)
    assert [job.func_name for job in second.enqueue_jobs()] == [SWEEP]
    time.sleep(1.1)
    assert first.enqueue_jobs() == []  # the lease is the other worker's now
    assert queued() == [SWEEP, SWEEP]
