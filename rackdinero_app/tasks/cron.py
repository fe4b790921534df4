"""Every periodic job, declared in one place with RQ's cron scheduler (``rq.cron``).

``flask worker`` runs a scheduler in every worker process and only the one holding a short
Redis lease enqueues (``rackdinero_app/worker.py``), so each periodic job is enqueued once
however many workers run, and another worker takes over when that one stops.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rq.cron import CronScheduler

from rackdinero_app.tasks.transfers import sweep

SWEEP_TIMEOUT_SECONDS = 120


def declare(scheduler: CronScheduler, config: Mapping[str, Any]) -> CronScheduler:
    """Register the app's periodic jobs on ``scheduler``; returns it."""
    queue = config["RQ_QUEUES"][0]
    # Re-enqueues work whose job was lost (Redis restarted, a worker killed mid-transfer).
    scheduler.register(
        sweep,
        queue,
        interval=int(config["SWEEP_INTERVAL_SECONDS"]),
        job_timeout=SWEEP_TIMEOUT_SECONDS,
        result_ttl=60,
    )
    return scheduler
