"""The start sync from the support dashboard (operators, with a reason, audited): ask for its
preview, start a ready preview, cancel an open run — the same steps as the customer's start
sync page (``sync/runs.py``), recorded as support's."""

from __future__ import annotations

from flask import g

from rackdinero_app import audit
from rackdinero_app import jobs
from rackdinero_app.models import Connection
from rackdinero_app.support import bp
from rackdinero_app.support.actions import begin
from rackdinero_app.support.actions import refuse
from rackdinero_app.support.actions import require_active
from rackdinero_app.support.actions import told
from rackdinero_app.support.auth import staff_required
from rackdinero_app.sync import runs

REFUSALS = {
    "open": "A start sync is already open for this connection: see its state above.",
    "not_ready": "This start sync cannot be started: its preview is not ready, or it was "
    "started or cancelled already.",
    "finished": "This start sync has already ended.",
}


def _staff_step(connection_id: int) -> tuple[Connection, audit.Staff]:
    connection, reason = begin(connection_id)
    return connection, audit.Staff(g.staff.email, reason)


def _refused(refusal: runs.SyncRefused):
    if refusal.reason == "not_found":
        refuse("There is no such start sync for this connection.", 404)
    refuse(REFUSALS[refusal.reason])


@bp.post("/connections/<int:connection_id>/start-sync/preview")
@staff_required("operator")
def start_sync_preview(connection_id: int):
    """Ask for the preview of what the start sync would do (it runs as a job)."""
    connection, staff = _staff_step(connection_id)
    require_active(connection)
    try:
        run = runs.request_preview(connection, staff)
    except runs.SyncRefused as refusal:
        _refused(refusal)
    jobs.enqueue_start_sync_preview(run.id)
    return told(connection, f"The start sync's preview (run {run.id}) is being prepared.")


@bp.post("/connections/<int:connection_id>/start-sync/<int:run_id>/start")
@staff_required("operator")
def start_sync_start(connection_id: int, run_id: int):
    """Start a ready preview: the start sync runs as a chain of jobs."""
    connection, staff = _staff_step(connection_id)
    require_active(connection)
    try:
        run = runs.start(connection, run_id, staff)
    except runs.SyncRefused as refusal:
        _refused(refusal)
    jobs.enqueue_start_sync(run.id)
    return told(connection, f"The start sync (run {run.id}) is started.")


@bp.post("/connections/<int:connection_id>/start-sync/<int:run_id>/cancel")
@staff_required("operator")
def start_sync_cancel(connection_id: int, run_id: int):
    """Cancel an open preview or run; what it did is kept."""
    connection, staff = _staff_step(connection_id)
    try:
        runs.cancel(connection, run_id, staff)
    except runs.SyncRefused as refusal:
        _refused(refusal)
    return told(connection, f"The start sync (run {run_id}) is cancelled; what it did is kept.")
