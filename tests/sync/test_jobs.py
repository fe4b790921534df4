"""The start sync's jobs: enqueued only through jobs.py with their timeouts, a chain of slices,
and the periodic resume check (declared in tasks/cron.py) for runs whose worker died."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rackdinero_app import jobs
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import SyncRun
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import SyncState
from rackdinero_app.tasks import cron
from rackdinero_app.tasks import sync as tasks
from rackdinero_app.worker import LeaderCron
from tests.sync.conftest import fresh_run

pytestmark = pytest.mark.redis

PREVIEW = "rackdinero_app.tasks.sync.preview_start_sync"
RUN = "rackdinero_app.tasks.sync.run_start_sync"
RESUME = "rackdinero_app.tasks.sync.resume_start_syncs"


def queued() -> list[tuple[str, tuple]]:
    return [(job.func_name, job.args) for job in rq.queue().jobs]


def test_both_jobs_are_enqueued_by_dotted_path_with_a_timeout_beyond_a_slice(app):
    app.config["START_SYNC_SLICE_SECONDS"] = 60
    assert jobs.enqueue_start_sync_preview(4) and jobs.enqueue_start_sync(5)

    preview, run = rq.queue().jobs
    assert (preview.func_name, preview.args, run.func_name, run.args) == (PREVIEW, (4,), RUN, (5,))
    assert preview.timeout == run.timeout == 360


def test_the_resume_check_is_a_periodic_job(app):
    declared = {
        job.func_name: job
        for job in cron.declare(LeaderCron(connection=rq.redis), app.config).get_jobs()
    }
    assert declared[RESUME].interval == app.config["SWEEP_INTERVAL_SECONDS"]
    assert declared[RESUME].job_options["job_timeout"] == cron.SWEEP_TIMEOUT_SECONDS


def test_runs_without_a_live_worker_are_enqueued_again_and_the_rest_left_alone(app, new_run):
    stale = utcnow() - timedelta(seconds=app.config["START_SYNC_STALE_SECONDS"] + 5)
    died = new_run(SyncState.RUNNING, heartbeat_at=stale)
    lost_preview = new_run(SyncState.PREVIEWING)
    working = new_run(SyncState.RUNNING, heartbeat_at=utcnow())
    waiting = new_run(SyncState.PENDING)  # just started: its job is in the queue
    for run_id in (new_run(SyncState.READY), new_run(SyncState.SUCCEEDED), lost_preview):
        db.session.get(SyncRun, run_id).updated_at = stale
    db.session.commit()

    assert tasks.resume_start_syncs() == {"start_syncs": 2}

    assert sorted(queued()) == sorted([(RUN, (died,)), (PREVIEW, (lost_preview,))])
    assert {working, waiting}.isdisjoint(args[0] for _, args in queued())


def test_a_slice_that_runs_out_of_time_enqueues_the_next_one(app, connection, new_run):
    app.config["START_SYNC_SLICE_SECONDS"] = 0
    run_id = new_run(SyncState.PENDING)

    tasks.run_start_sync(run_id)

    assert queued() == [(RUN, (run_id,))]
    assert fresh_run(run_id).heartbeat_at is None  # let go for the next slice


def test_a_finished_or_held_run_enqueues_nothing(app, connection, new_run):
    held, cancelled = (
        new_run(SyncState.RUNNING, heartbeat_at=utcnow()),
        new_run(SyncState.CANCELLED),
    )
    tasks.run_start_sync(held)
    tasks.preview_start_sync(cancelled)
    assert queued() == []
