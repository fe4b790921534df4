"""A reconciliation's report as the pages show it (RC1), shared by the customer's page and
support's read-only one: each group's count and first lines, the helpers that put a line into
words, and what a fix did."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import format_datetime

from rackdinero_app.models import Reconciliation
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.models.reconciliation import ReconciliationState as State
from rackdinero_app.reconcile import runs
from rackdinero_app.reconcile import wording
from rackdinero_app.reconcile.fixes import Done
from rackdinero_app.transfers.translation import translated

# A month can hold thousands of matched invoices: the page shows the first ones of each
# group, the CSV all of them.
SHOWN_PER_GROUP = 500


def when(moment) -> str:
    return format_datetime(moment, "d. MMM y HH:mm") if moment else ""


def report_context(run: Reconciliation | None) -> dict:
    """What ``_reconciliation_report.html`` needs for ``run`` (groups only once finished)."""
    groups = []
    if run is not None and run.state == State.FINISHED:
        counts = run.counts or {}
        groups = [
            (group, counts.get(group.value, 0), runs.first_items(run, group, SHOWN_PER_GROUP))
            for group in runs.GROUPS
        ]
    return {
        "run": run,
        "groups": groups,
        "Group": Group,
        "State": State,
        "wording": wording,
        "format_date": format_date,
        "when": when,
    }


def done_texts(done: Done) -> list[str]:
    """What a fix did, in the reader's language; the invoices kept back because Dinero has
    them after all are named."""
    texts = [translated(done.code, done.params, None)]
    if done.kept:
        texts.append(translated("rc_fix_kept", {"numbers": ", ".join(done.kept)}, None))
    return texts
