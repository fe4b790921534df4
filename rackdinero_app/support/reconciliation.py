"""What the support dashboard shows of a connection's month-end reconciliation (RC1): the
section on the connection's page. The report pages and the operators' actions are in
``reconciliation_views``."""

from __future__ import annotations

from flask_babel import force_locale

from rackdinero_app.models import Connection
from rackdinero_app.reconcile import fixes
from rackdinero_app.reconcile import runs
from rackdinero_app.reconcile import wording


def month_choices() -> list[tuple[str, str]]:
    """The months an operator may reconcile, as ``("2026-10", "October 2026")``, newest first."""
    with force_locale("en"):
        return [(f"{m:%Y-%m}", wording.month_name(m)) for m in runs.months_offered(wording.today())]


def section(connection: Connection) -> dict:
    """The connection page's "Reconciliation" section: the newest run, its result in English,
    how many missing invoices an operator could send, and the months to choose from."""
    run = runs.latest(connection.id)
    summary = ""
    if run is not None:
        with force_locale("en"):
            summary = f"{wording.month_name(run.month)}: " + (
                wording.result(run)
                if run.state.value == "finished"
                else wording.failure(run) or run.state.value
            )
    finished = run is not None and run.state.value == "finished"
    return {
        "reconciliation": run,
        "reconciliation_summary": summary,
        "reconciliation_sendable": len(fixes.sendable(run)) if finished else 0,
        "reconciliation_months": month_choices(),
        "reconciliation_default": f"{runs.default_month(wording.today()):%Y-%m}",
    }
