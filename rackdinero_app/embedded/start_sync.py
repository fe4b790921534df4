"""The start synchronisation page (S1, S2): the offer after activation, a preview of what
would be transferred, Start, a progress bar while it runs, and the skip report (also as CSV).

The page polls ``…/status`` for the progress bar (``static/embedded.js``); without JavaScript
it refreshes itself. The work happens in jobs (``tasks/sync.py``); these views only ask for it.
"""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask_babel import gettext as _

from rackdinero_app import jobs
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import require_active
from rackdinero_app.embedded.views import to
from rackdinero_app.models import SyncRun
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.models.enums import SyncState
from rackdinero_app.settings.checklist import still_missing
from rackdinero_app.setup.sources import load_catalogue
from rackdinero_app.setup.store import current_snapshot
from rackdinero_app.setup.store import save_start_sync
from rackdinero_app.setup.store import stored_start_sync
from rackdinero_app.sync import runs
from rackdinero_app.sync.progress import bars
from rackdinero_app.sync.progress import checked
from rackdinero_app.sync.report import Line
from rackdinero_app.sync.report import csv_lines
from rackdinero_app.sync.report import report_page
from rackdinero_app.sync.rules import KINDS
from rackdinero_app.sync.translation import summary
from rackdinero_app.sync.translation import translated

# The states a page shows while a job works; the page reloads when the run leaves them.
SHOWN_TOGETHER = {
    SyncState.PREVIEWING: (SyncState.PREVIEWING,),
    SyncState.PENDING: (SyncState.PENDING, SyncState.RUNNING),
    SyncState.RUNNING: (SyncState.PENDING, SyncState.RUNNING),
}


def _kind_labels() -> dict[str, str]:
    return {"customer": _("Customers"), "supplier": _("Suppliers"), "product": _("Products")}


def _kind_names() -> dict[str, str]:
    """One record's kind, as the report's rows name it."""
    return {"customer": _("Customer"), "supplier": _("Supplier"), "product": _("Product")}


def _outcome_labels() -> dict[str, str]:
    return {
        "created": _("Created"),
        "linked": _("Linked"),
        "skipped": _("Skipped"),
        "failed": _("Failed"),
    }


def _refused(reason: str):
    if reason == "not_found":
        abort(404)
    messages = {
        "open": _(
            "A start synchronisation is already under way for this account. Reload the page "
            "to see how far it is."
        ),
        "not_ready": _(
            "This preview can no longer be started: it was started or cancelled already. "
            "Reload the page to see where it stands."
        ),
        "finished": _("This start synchronisation has already ended. Reload the page."),
    }
    return page_error(messages[reason], 409)


def _run_or_404(run_id: int) -> SyncRun:
    return runs.get_run(g.connection.id, run_id) or abort(404)


@bp.route("/settings/start-sync", methods=["GET", "POST"])
def start_sync():
    """The start synchronisation as far as it has come; a POST stores the choice (S1)."""
    if (inactive := require_active()) is not None:
        return inactive
    if request.method == "POST":
        try:
            choice = StartSyncChoice(request.form.get("start_sync", ""))
        except ValueError:
            abort(400)
        save_start_sync(g.connection, choice, actor())
        return redirect(to("embedded.start_sync", saved=1), 303)
    run = runs.latest_run(g.connection.id)
    report = None
    if run is not None and run.state in runs.FINISHED_STATES and run.started_at is not None:
        report = report_page(run.id, request.args.get("page", 1, type=int))
    return render_template(
        "embedded/settings_start_sync.html",
        section="start-sync",
        choice=stored_start_sync(g.connection),
        saved=request.args.get("saved") == "1",
        still_missing=still_missing(current_snapshot(g.connection), load_catalogue(g.connection)),
        run=run,
        report=report,
        kinds=[kind.value for kind in KINDS],
        kind_labels=_kind_labels(),
        kind_names=_kind_names(),
        outcome_labels=_outcome_labels(),
        reason_text=translated,
        reason_summary=summary,
        checked=checked(run.preview or {}) if run is not None else 0,
        # The bar's text as the script fills it in ("%(done)s of %(total)s", translated).
        progress_format=_("%(done)s of %(total)s"),
        StartSyncChoice=StartSyncChoice,
        SyncState=SyncState,
    )


@bp.post("/settings/start-sync/preview")
def preview_start_sync():
    """Ask for a preview of what the start sync would do (it runs as a job)."""
    if (inactive := require_active(starts_work=True)) is not None:
        return inactive
    try:
        run = runs.request_preview(g.connection, actor())
    except runs.SyncRefused as refused:
        return _refused(refused.reason)
    jobs.enqueue_start_sync_preview(run.id)
    return redirect(to("embedded.start_sync"), 303)


@bp.post("/settings/start-sync/<int:run_id>/start")
def run_start_sync(run_id: int):
    """Start a previewed start sync."""
    if (inactive := require_active(starts_work=True)) is not None:
        return inactive
    try:
        run = runs.start(g.connection, run_id, actor())
    except runs.SyncRefused as refused:
        return _refused(refused.reason)
    jobs.enqueue_start_sync(run.id)
    return redirect(to("embedded.start_sync"), 303)


@bp.post("/settings/start-sync/<int:run_id>/cancel")
def cancel_start_sync(run_id: int):
    """Cancel a preview or a running start sync; what it did is kept."""
    if (inactive := require_active()) is not None:
        return inactive
    try:
        runs.cancel(g.connection, run_id, actor())
    except runs.SyncRefused as refused:
        return _refused(refused.reason)
    return redirect(to("embedded.start_sync"), 303)


@bp.get("/settings/start-sync/<int:run_id>/status")
def start_sync_status(run_id: int):
    """What the page polls: the state, the progress per kind, and whether to reload."""
    run = _run_or_404(run_id)
    try:
        shown = SyncState(request.args.get("shown", ""))
    except ValueError:
        shown = run.state
    return jsonify(
        state=run.state.value,
        finished=run.state not in SHOWN_TOGETHER.get(shown, (shown,)),
        cancel_requested=run.cancel_requested,
        progress=bars(run.counts or {}),
        checked=checked(run.preview or {}),
    )


@bp.get("/settings/start-sync/<int:run_id>/report.csv")
def start_sync_report_csv(run_id: int):
    """The skip report as CSV, in the reader's language, streamed from the records."""
    run = _run_or_404(run_id)
    kinds = _kind_names()
    outcomes = _outcome_labels()

    def cells(line: Line) -> list[str]:
        reason = translated(line.reason_code, line.params)
        return [kinds[line.kind], line.label, outcomes[line.outcome], reason]

    header = [_("Kind"), _("Dinero number and name"), _("Outcome"), _("Reason")]
    body = stream_with_context(csv_lines(run.id, header, cells))
    filename = f"start-sync-{run.id}-skipped.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
