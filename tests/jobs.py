"""Running what the app queued, in the test's process, as a worker would."""

from __future__ import annotations

from rq import SimpleWorker

from rackdinero_app.extensions import rq


def run_queued_jobs() -> int:
    """Run every job queued now (not the ones they queue in turn); returns how many ran."""
    queue = rq.queue()
    jobs = queue.jobs
    for job in jobs:
        queue.remove(job)
        job.perform()
    return len(jobs)


def work_off_queue() -> None:
    """Run queued jobs until the queue is empty, the jobs they queue included (a real
    ``SimpleWorker`` in burst mode: it ends the job's database session as a worker does)."""
    SimpleWorker([rq.queue()], connection=rq.redis).work(burst=True)
