"""Start-sync jobs (S1): a preview and the run, one slice per job, and the resume check.

Each slice ends by letting go of the run; when work is left the job enqueues the next slice
itself (through ``jobs.py``), so a start sync of any size is a chain of short jobs that other
work can pass between.
"""

from __future__ import annotations

from flask import current_app

from rackdinero_app import jobs
from rackdinero_app.jobs import job
from rackdinero_app.models.enums import SyncState
from rackdinero_app.sync import runner
from rackdinero_app.sync import runs


@job
def preview_start_sync(run_id: int) -> None:
    if runner.preview_slice(run_id):
        jobs.enqueue_start_sync_preview(run_id)


@job
def run_start_sync(run_id: int) -> None:
    if runner.run_slice(run_id):
        jobs.enqueue_start_sync(run_id)


@job
def resume_start_syncs() -> dict[str, int]:
    """Enqueue start syncs whose worker died (stale heartbeat) or whose job was lost."""
    stalled = runs.stalled(current_app.config["START_SYNC_STALE_SECONDS"])
    for run_id, state in stalled:
        if state == SyncState.PREVIEWING:
            jobs.enqueue_start_sync_preview(run_id)
        else:
            jobs.enqueue_start_sync(run_id)
    return {"start_syncs": len(stalled)}
