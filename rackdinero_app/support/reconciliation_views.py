"""A connection's month-end reconciliation on the support dashboard (RC1): the read-only report
(viewers too, in English) and its CSV, and the operators' actions: run one, send the missing
ones. Each action needs a reason and is audited, through the same code as the customer's
buttons."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import g
from flask import render_template
from flask import request
from flask import stream_with_context
from flask_babel import force_locale
from redis.exceptions import RedisError

from rackdinero_app import audit
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Reconciliation
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.reconciliation import ReconciliationState as State
from rackdinero_app.reconcile import export
from rackdinero_app.reconcile import fixes
from rackdinero_app.reconcile import runs
from rackdinero_app.reconcile import wording
from rackdinero_app.reconcile.report import done_texts
from rackdinero_app.reconcile.report import report_context
from rackdinero_app.support import bp
from rackdinero_app.support.actions import TRY_AGAIN
from rackdinero_app.support.actions import begin
from rackdinero_app.support.actions import refuse
from rackdinero_app.support.actions import require_active
from rackdinero_app.support.actions import told
from rackdinero_app.support.auth import staff_required
from rackdinero_app.support.connections import bad_request


def _connection_and_run(
    connection_id: int, run_id: int | None
) -> tuple[Connection, Reconciliation | None]:
    connection = db.session.get(Connection, connection_id) or abort(404)
    if run_id is None:
        return connection, runs.latest(connection.id)
    return connection, runs.own_run(connection.id, run_id) or abort(404)


@bp.get("/connections/<int:connection_id>/reconciliation")
@bp.get("/connections/<int:connection_id>/reconciliation/<int:run_id>")
@staff_required()
def connection_reconciliation(connection_id: int, run_id: int | None = None):
    """The report of a run (the newest by default), as the customer sees it, read-only."""
    connection, run = _connection_and_run(connection_id, run_id)
    with force_locale("en"):
        return render_template(
            "support/reconciliation.html",
            connection=connection,
            fix_link=lambda item: None,
            **report_context(run),
        )


@bp.get("/connections/<int:connection_id>/reconciliation/<int:run_id>/report.csv")
@staff_required()
def connection_reconciliation_csv(connection_id: int, run_id: int):
    """The report as CSV in English; the export is audited (it leaves the building)."""
    connection, run = _connection_and_run(connection_id, run_id)
    if run.state != State.FINISHED:
        refuse("This reconciliation has not finished: there is no report yet.")
    details = {"reconciliation": run.id, "month": f"{run.month:%Y-%m}"}
    audit.record(
        connection, ActorType.STAFF, g.staff.email, "reconciliation_exported", details=details
    )
    db.session.commit()

    def english_lines():
        with force_locale("en"):
            yield from export.lines(run)

    return Response(
        stream_with_context(english_lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{export.filename(run)}"'},
    )


@bp.post("/connections/<int:connection_id>/reconciliation")
@staff_required("operator")
def reconciliation_run(connection_id: int):
    """Reconcile a month for the customer (read-only work, so a paused connection may too)."""
    connection, reason = begin(connection_id)
    month = runs.month_of(request.form.get("month", ""), wording.today())
    if month is None:
        bad_request("Choose a month from the list: this one or one of the twelve before it.")
    try:
        run, started = runs.request_run(
            connection, month, ActorType.STAFF, g.staff.email, reason=reason
        )
    except RedisError:
        refuse(TRY_AGAIN, 503)
    if not started:
        return told(connection, f"Reconciliation {run.id} is already under way: none was added.")
    return told(connection, f"Reconciliation {run.id} of {month:%Y-%m} is queued.")


@bp.post("/connections/<int:connection_id>/reconciliation/<int:run_id>/send-missing")
@staff_required("operator")
def reconciliation_send_missing(connection_id: int, run_id: int):
    """Send the report's missing invoices, as the customer's button does."""
    connection, reason = begin(connection_id)
    run = runs.own_run(connection.id, run_id)
    if run is None:
        refuse("There is no such reconciliation for this connection.", 404)
    if run.state != State.FINISHED:
        refuse("This reconciliation has not finished: nothing was sent.")
    require_active(connection)
    if not fixes.sendable(run):
        refuse("Nothing in this report is waiting to be sent.")
    try:
        done = fixes.send_missing(connection, run, audit.Staff(g.staff.email, reason))
    except RedisError:
        refuse(TRY_AGAIN, 503)
    with force_locale("en"):
        message = " ".join(done_texts(done))
    return told(connection, message)
