"""Background jobs: how a job runs, and the one place where jobs are enqueued.

A job is a function decorated with ``@job``: it takes ids, runs inside the worker's app context
(``flask worker`` provides it), records its outcome on its own row, and ends with a clean
session. Every job is enqueued here, by dotted path and with an explicit timeout, so "what runs
in the background, and for how long may it run?" is answered by this file; periodic jobs are
declared in ``tasks/cron.py``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask import has_app_context
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq

log = logging.getLogger(__name__)


def job(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``func`` inside the worker's app context; no transaction or loaded row outlives it."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not has_app_context():
            raise RuntimeError("Jobs run inside `flask --app app worker`, which has the app.")
        try:
            return func(*args, **kwargs)
        finally:
            db.session.remove()

    return run


@dataclass(frozen=True)
class Job:
    """A job function by dotted path, and how long it may run (from the app's config)."""

    path: str
    timeout: Callable[[Mapping[str, Any]], int]
    result_ttl: int = 0

    def timeout_seconds(self) -> int:
        return int(self.timeout(current_app.config))


def _transfer_lease(config: Mapping[str, Any]) -> int:
    # A transfer job may run as long as its claim on the transfer row lasts, no longer.
    return int(config["TRANSFER_LEASE_SECONDS"])


RUN_TRANSFER = Job("rackdinero_app.tasks.transfers.run_transfer", _transfer_lease)
# Records the webhook's transfer and runs it in the same job, so it gets the same lease.
PROCESS_INBOX_EVENT = Job("rackdinero_app.tasks.transfers.process_inbox_event", _transfer_lease)


def _start_sync_slice(config: Mapping[str, Any]) -> int:
    # A slice lets go of its run after START_SYNC_SLICE_SECONDS; the rest is room for the
    # record in hand (a few patient retries of Rackbeat and Dinero).
    return int(config["START_SYNC_SLICE_SECONDS"]) + 300


PREVIEW_START_SYNC = Job("rackdinero_app.tasks.sync.preview_start_sync", _start_sync_slice)
RUN_START_SYNC = Job("rackdinero_app.tasks.sync.run_start_sync", _start_sync_slice)
VERIFY_ACTIVATION = Job(
    "rackdinero_app.embedded.activation.job.verify_and_activate", lambda config: 120
)
VERIFY_CONNECTION_CHANGE = Job(
    "rackdinero_app.embedded.activation.job.verify_and_change_connection", lambda config: 120
)
# Contract B's onboarding: verify the Dinero credentials, accept Rackbeat's integration
# request, install (settings URL, webhooks) and activate.
VERIFY_ONBOARDING = Job("rackdinero_app.embedded.onboarding.verify_and_accept", lambda config: 180)
# One connection's hourly invoice import (C5). It ends well before the next hour's run is due;
# a transfer it did not get to is a pending row, which the sweeper runs.
IMPORT_INVOICES = Job("rackdinero_app.tasks.invoice_import.import_invoices", lambda config: 2700)
# Troubleshooting: find a Dinero invoice by its number (one search) and request its import.
IMPORT_BY_NUMBER = Job("rackdinero_app.tasks.invoice_import.import_by_number", lambda config: 120)

# The month-end reconciliation (RC1): both systems' lists of a month, read page by page.
RECONCILE = Job("rackdinero_app.tasks.reconcile.reconcile", lambda config: 1800)


def _enqueue(spec: Job, *args: Any, delay: float = 0.0, at_front: bool = False) -> str:
    options = {"job_timeout": spec.timeout_seconds(), "result_ttl": spec.result_ttl}
    if delay > 0:
        return rq.queue().enqueue_in(timedelta(seconds=delay), spec.path, *args, **options).id
    return rq.queue().enqueue(spec.path, *args, at_front=at_front, **options).id


def enqueue_transfer(transfer_id: int, delay: float = 0.0, *, at_front: bool = False) -> str | None:
    """Best effort: if Redis is down the row stays pending and the sweeper enqueues it.
    ``at_front`` puts it ahead of queued work (someone waits for it on a page). Returns the
    job's id, or ``None`` when it could not be enqueued."""
    try:
        return _enqueue(RUN_TRANSFER, transfer_id, delay=delay, at_front=at_front)
    except RedisError:
        log.warning("Could not enqueue transfer %s; the sweeper will pick it up", transfer_id)
        return None


def enqueue_inbox_event(inbox_event_id: int) -> None:
    """Best effort: the inbox row is committed; if Redis is down the sweeper enqueues it."""
    try:
        _enqueue(PROCESS_INBOX_EVENT, inbox_event_id)
    except RedisError:
        log.warning("Could not enqueue inbox event %s; the sweeper will pick it up", inbox_event_id)


def cancel(job_ids: list[str]) -> None:
    """Cancel queued or scheduled jobs that have become pointless (best effort)."""
    for job_id in job_ids:
        try:
            RQJob.fetch(job_id, connection=rq.redis).cancel()
        except (NoSuchJobError, RedisError):
            continue


def enqueue_activation(attempt_id: str, encrypted_api_key: str, actor: str) -> None:
    """Raises ``RedisError`` when Redis is down: the page then says to try again."""
    _enqueue(VERIFY_ACTIVATION, attempt_id, encrypted_api_key, actor)


def enqueue_connection_change(attempt_id: str, encrypted_api_key: str, actor: str) -> None:
    """Raises ``RedisError`` when Redis is down: the page then says to try again."""
    _enqueue(VERIFY_CONNECTION_CHANGE, attempt_id, encrypted_api_key, actor)


def enqueue_onboarding(onboarding_id: str, encrypted_api_key: str) -> None:
    """Raises ``RedisError`` when Redis is down (the onboarding itself lives there too)."""
    _enqueue(VERIFY_ONBOARDING, onboarding_id, encrypted_api_key)


def enqueue_import_by_number(lookup_id: str) -> None:
    """Ahead of queued work: someone waits for it on the troubleshooting page. Raises
    ``RedisError`` when Redis is down: the page then says to try again."""
    _enqueue(IMPORT_BY_NUMBER, lookup_id, at_front=True)


def enqueue_invoice_import(run_id: int) -> str:
    """Raises ``RedisError`` when Redis is down: the run is closed and the page says so."""
    return _enqueue(IMPORT_INVOICES, run_id)


def enqueue_start_sync_preview(run_id: int) -> bool:
    """Best effort: if Redis is down the run stays previewing and the resume check enqueues
    it later. Returns whether it was enqueued."""
    try:
        _enqueue(PREVIEW_START_SYNC, run_id)
        return True
    except RedisError:
        log.warning("Could not enqueue the preview of start sync %s; it is resumed later", run_id)
        return False


def enqueue_start_sync(run_id: int) -> bool:
    """Best effort, like the preview: the run stays pending (or running) and is resumed."""
    try:
        _enqueue(RUN_START_SYNC, run_id)
        return True
    except RedisError:
        log.warning("Could not enqueue start sync %s; it is resumed later", run_id)
        return False


def enqueue_reconciliation(reconciliation_id: int) -> str:
    """Raises ``RedisError`` when Redis is down: the page says so and nothing is kept."""
    return _enqueue(RECONCILE, reconciliation_id)
