"""Pause and resume a connection's transfers (operators, with a reason, audited).

Pausing stops new work without losing any: webhooks are still received and become pending
transfers, but no worker claims them and the sweeper leaves them (``transfers/waiting.py``),
the start sync's next slice lets go of its run, and the hourly import skips the connection.
An attempt already running when the pause lands finishes. Resuming enqueues every pending
transfer that is due and every open start sync again; the hourly import reads from where
its last run ended, so the paused hours are imported too.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from rackdinero_app import audit
from rackdinero_app import jobs
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import SyncState
from rackdinero_app.support import bp
from rackdinero_app.support.actions import begin
from rackdinero_app.support.actions import refuse
from rackdinero_app.support.actions import told
from rackdinero_app.support.auth import staff_required
from rackdinero_app.sync import runs
from rackdinero_app.transfers import waiting


def change_state(connection: Connection, before: ConnectionState, after: ConnectionState) -> bool:
    """Move the connection from ``before`` to ``after`` unless another request moved it first."""
    result = db.session.execute(
        sa.update(Connection)
        .where(Connection.id == connection.id, Connection.state == before)
        .values(state=after)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def enqueue_held_back(connection_id: int) -> tuple[int, int]:
    """Enqueue the resumed connection's due transfers and open start syncs; returns how many
    jobs were enqueued and how many could not be (Redis down): the sweepers find those."""
    enqueued = [
        jobs.enqueue_transfer(transfer_id) is not None
        for transfer_id in waiting.held_back(connection_id)
    ]
    for run_id, state in runs.working(connection_id):
        if state == SyncState.PREVIEWING:
            enqueued.append(jobs.enqueue_start_sync_preview(run_id))
        else:
            enqueued.append(jobs.enqueue_start_sync(run_id))
    return enqueued.count(True), enqueued.count(False)


@bp.post("/connections/<int:connection_id>/pause")
@staff_required("operator")
def pause(connection_id: int):
    connection, reason = begin(connection_id)
    if not change_state(connection, ConnectionState.ACTIVE, ConnectionState.PAUSED):
        db.session.rollback()
        refuse(f"This connection is {connection.state.value}: only an active one can be paused.")
    staff = audit.Staff(g.staff.email, reason)
    audit.record_step(connection, staff, "connection.paused", {"state_before": "active"})
    db.session.commit()
    return told(
        connection,
        "Transfers are paused. What arrives now waits as pending and runs when you resume.",
    )


@bp.post("/connections/<int:connection_id>/resume")
@staff_required("operator")
def resume(connection_id: int):
    connection, reason = begin(connection_id)
    if not change_state(connection, ConnectionState.PAUSED, ConnectionState.ACTIVE):
        db.session.rollback()
        refuse(f"This connection is {connection.state.value}, not paused: nothing to resume.")
    staff = audit.Staff(g.staff.email, reason)
    held_back = len(waiting.held_back(connection.id))
    audit.record_step(connection, staff, "connection.resumed", {"waiting_transfers": held_back})
    db.session.commit()
    queued, not_queued = enqueue_held_back(connection.id)
    message = f"Transfers are resumed: {queued} waiting job(s) queued."
    if not_queued:
        message += (
            f" {not_queued} could not be queued now (the job queue cannot be reached); the "
            "sweepers queue them within a few minutes."
        )
    return told(connection, message)
