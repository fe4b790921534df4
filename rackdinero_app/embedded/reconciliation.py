"""The month-end reconciliation page (RC1): choose a month, run it, watch it read both systems,
then the report in five groups with its one-click fixes and the CSV.

Running a reconciliation only reads, so it is allowed while support has paused the transfers;
the fixes send or delete in Dinero, so they are not. The page polls ``…/status`` while the job
reads (``static/embedded.js``); without JavaScript it refreshes itself."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import g
from flask import jsonify
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError

from rackdinero_app.audit import record
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import require_active
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import ReconciliationItem
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.models.reconciliation import ReconciliationState as State
from rackdinero_app.reconcile import export
from rackdinero_app.reconcile import fixes
from rackdinero_app.reconcile import runs
from rackdinero_app.reconcile import wording
from rackdinero_app.reconcile.report import done_texts
from rackdinero_app.reconcile.report import report_context

DELETE = _l("Delete draft…")
REPLACE = _l("Replace with Rackbeat's version…")
TRY_AGAIN = _l("The reconciliation could not be started just now. Please try again in a minute.")
FIX_TRY_AGAIN = _l("The fix could not be started just now. Please try again in a minute.")
BAD_MONTH = _l("Choose one of the months in the list.")
NOT_FINISHED = _l("This reconciliation has not finished yet. Reload the page.")
NOTHING_TO_SEND = _l("Nothing in this report is waiting to be sent. Reload the page.")
NOT_DELETABLE = _l(
    "This draft cannot be deleted from here (any more): it was dealt with already, or it is "
    "not a draft of the app's. Reload the page."
)


def _page(run: Reconciliation | None, *, error: str = "", notice=None, status: int = 200):
    today = wording.today()
    chosen = (
        request.form.get("month") or f"{(run.month if run else runs.default_month(today)):%Y-%m}"
    )
    return render_template(
        "embedded/reconciliation.html",
        months=[(f"{m:%Y-%m}", wording.month_name(m)) for m in runs.months_offered(today)],
        chosen=chosen,
        error=error,
        notice=notice,
        sendable=len(fixes.sendable(run)) if run is not None and run.state == State.FINISHED else 0,
        fix_link=_fix_link,
        **report_context(run),
    ), status


def _stop(message: str, status: int):
    """End the request with an error page (from inside a helper)."""
    abort(make_response(page_error(message, status)))


def _fix_link(item: ReconciliationItem) -> tuple[str, str] | None:
    """A draft a fix may delete links to the confirmation; other lines have no button (the
    reason says what to do)."""
    if not fixes.can_delete(item):
        return None
    label = REPLACE if item.group == Group.AMOUNT_DIFFERS else DELETE
    url = to(
        "embedded.reconciliation_confirm_delete", run_id=item.reconciliation_id, item_id=item.id
    )
    return url, str(label)


def _run_or_404(run_id: int) -> Reconciliation:
    return runs.own_run(g.connection.id, run_id) or abort(404)


def _finished_run(run_id: int) -> Reconciliation:
    run = _run_or_404(run_id)
    if run.state != State.FINISHED:
        _stop(str(NOT_FINISHED), 409)
    return run


def _deletable(run: Reconciliation, item_id: int) -> ReconciliationItem:
    item = db.session.get(ReconciliationItem, item_id)
    if item is None or item.reconciliation_id != run.id:
        abort(404)
    if not fixes.can_delete(item):
        _stop(str(NOT_DELETABLE), 409)
    return item


def _notice(done: fixes.Done) -> dict:
    """A fix's outcome for the page: its text, and the invoices kept back because Dinero has
    them after all."""
    texts = done_texts(done)
    sent = done.code in ("rc_fix_sent", "rc_fix_replaced")
    return {"ok": done.ok, "texts": texts, "log": sent}


@bp.get("/reconciliation")
def reconciliation():
    """The latest reconciliation as far as it has come, and the form to run one."""
    if (inactive := require_active()) is not None:
        return inactive
    return _page(runs.latest(g.connection.id))


@bp.post("/reconciliation")
def run_reconciliation():
    """Reconcile the chosen month (a job); a second click while one runs starts none."""
    if (inactive := require_active()) is not None:
        return inactive
    month = runs.month_of(request.form.get("month", ""), wording.today())
    if month is None:
        return _page(runs.latest(g.connection.id), error=str(BAD_MONTH), status=422)
    try:
        runs.request_run(g.connection, month, ActorType.RACKBEAT_USER, actor())
    except RedisError:
        return page_error(str(TRY_AGAIN), 503)
    return redirect(to("embedded.reconciliation"), 303)


@bp.get("/reconciliation/<int:run_id>/status")
def reconciliation_status(run_id: int):
    """What the page polls while the job reads: the step in words and the figures so far."""
    run = _run_or_404(run_id)
    return jsonify(
        state=run.state.value,
        finished=not run.open,
        step=wording.step_text(run),
        records_read=run.records_read,
        dinero_requests=run.dinero_requests,
        rackbeat_requests=run.rackbeat_requests,
    )


@bp.get("/reconciliation/<int:run_id>/report.csv")
def reconciliation_csv(run_id: int):
    """Every line of the report as CSV; the export is audited (it leaves the app)."""
    run = _finished_run(run_id)
    details = {"reconciliation": run.id, "month": f"{run.month:%Y-%m}"}
    record(
        g.connection, ActorType.RACKBEAT_USER, actor(), "reconciliation_exported", details=details
    )
    db.session.commit()
    return Response(
        stream_with_context(export.lines(run)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{export.filename(run)}"'},
    )


@bp.post("/reconciliation/<int:run_id>/send-missing")
def reconciliation_send_missing(run_id: int):
    """Send every missing invoice the report can send, the troubleshooting way (T1)."""
    if (inactive := require_active(starts_work=True)) is not None:
        return inactive
    run = _finished_run(run_id)
    if not fixes.sendable(run):
        return page_error(str(NOTHING_TO_SEND), 409)
    try:
        done = fixes.send_missing(g.connection, run, actor())
    except RedisError:
        return page_error(str(FIX_TRY_AGAIN), 503)
    return _page(run, notice=_notice(done))


@bp.get("/reconciliation/<int:run_id>/items/<int:item_id>/delete")
def reconciliation_confirm_delete(run_id: int, item_id: int):
    """Ask before a draft is deleted in Dinero: it cannot be undone."""
    if (inactive := require_active()) is not None:
        return inactive
    run = _finished_run(run_id)
    item = _deletable(run, item_id)
    return render_template(
        "embedded/reconciliation_confirm.html",
        run=run,
        item=item,
        replace=item.group == Group.AMOUNT_DIFFERS,
        wording=wording,
    )


@bp.post("/reconciliation/<int:run_id>/items/<int:item_id>/delete")
def reconciliation_delete(run_id: int, item_id: int):
    """Delete the confirmed draft (and, for one whose total differs, send the invoice again)."""
    if (inactive := require_active(starts_work=True)) is not None:
        return inactive
    run = _finished_run(run_id)
    item = _deletable(run, item_id)
    try:
        done = fixes.delete_draft(g.connection, item, actor())
    except RedisError:
        return page_error(str(FIX_TRY_AGAIN), 503)
    return _page(run, notice=_notice(done), status=200 if done.ok else 409)
