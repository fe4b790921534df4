"""Every periodic job, declared in one place with RQ's cron scheduler (``rq.cron``).

``flask worker`` runs a scheduler in every worker process and only the one holding a short
Redis lease enqueues (``rackdinero_app/worker.py``), so each periodic job is enqueued once
however many workers run, and another worker takes over when that one stops.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rq.cron import CronScheduler

from rackdinero_app.settings.schedule import HOURLY_IMPORT_CRON
from rackdinero_app.tasks.invoice_import import start_hourly_imports
from rackdinero_app.tasks.rackbeat_tokens import replace_rackbeat_tokens
from rackdinero_app.tasks.support import alert_support
from rackdinero_app.tasks.sync import resume_start_syncs
from rackdinero_app.tasks.transfers import sweep

SWEEP_TIMEOUT_SECONDS = 120
# Only queues one run per connection (each run is its own job, see jobs.IMPORT_INVOICES).
HOURLY_IMPORT_TIMEOUT_SECONDS = 300
# Contract B: once a day (03:17 UTC, a quiet hour), replace Rackbeat tokens older than
# RACKBEAT_TOKEN_REPLACE_DAYS; one short call per due connection.
RACKBEAT_TOKENS_CRON = "17 3 * * *"
RACKBEAT_TOKENS_TIMEOUT_SECONDS = 600
# Issue 12: mail support about new failure groups and busy connections (support/alerts.py).
SUPPORT_ALERTS_INTERVAL_SECONDS = 300
SUPPORT_ALERTS_TIMEOUT_SECONDS = 120


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
    # C5: invoices from Dinero every hour at 13 minutes past. RQ 2.12 reads cron strings in
    # UTC; Danish time differs from UTC by whole hours, so :13 is :13 there too.
    scheduler.register(
        start_hourly_imports,
        queue,
        cron=HOURLY_IMPORT_CRON,
        job_timeout=HOURLY_IMPORT_TIMEOUT_SECONDS,
        result_ttl=3600,
    )
    # S1: a start sync (or its preview) whose worker died carries on where it stopped.
    scheduler.register(
        resume_start_syncs,
        queue,
        interval=int(config["SWEEP_INTERVAL_SECONDS"]),
        job_timeout=SWEEP_TIMEOUT_SECONDS,
        result_ttl=60,
    )
    scheduler.register(
        replace_rackbeat_tokens,
        queue,
        cron=RACKBEAT_TOKENS_CRON,
        job_timeout=RACKBEAT_TOKENS_TIMEOUT_SECONDS,
        result_ttl=86400,
    )
    scheduler.register(
        alert_support,
        queue,
        interval=SUPPORT_ALERTS_INTERVAL_SECONDS,
        job_timeout=SUPPORT_ALERTS_TIMEOUT_SECONDS,
        result_ttl=600,
    )
    return scheduler
