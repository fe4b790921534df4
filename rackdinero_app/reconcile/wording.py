"""How the reconciliation (RC1) is put into words, shared by the customer's pages, the CSV and
support's pages: group, kind, status and step names, a line's reason and fix, and a run's
one-line result. Lazy texts, so each reader gets them in the language of the request
(support renders in English)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel import to_user_timezone

from rackdinero_app import formatting
from rackdinero_app.models import Reconciliation
from rackdinero_app.models import ReconciliationItem
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.reconciliation import ReconciliationGroup as Group
from rackdinero_app.reconcile.runs import GROUPS
from rackdinero_app.reconcile.runs import is_clean
from rackdinero_app.transfers.translation import translated

GROUP_LABELS = {
    Group.MATCHED: _l("Matched"),
    Group.MISSING: _l("Missing in Dinero"),
    Group.AMOUNT_DIFFERS: _l("Amount differs"),
    Group.UNLINKED: _l("In Dinero but linked to nothing of Rackbeat's"),
    Group.TWICE: _l("Transferred twice"),
}
KIND_LABELS = {
    EntityKind.CUSTOMER_INVOICE: _l("Sales invoice"),
    EntityKind.CREDIT_NOTE: _l("Credit note"),
    EntityKind.SUPPLIER_INVOICE: _l("Supplier invoice"),
}
STATUS_LABELS = {"draft": _l("Draft"), "booked": _l("Booked")}
FIX_LABELS = {
    "sent": _l("Sent again"),
    "deleted": _l("Draft deleted"),
    "replaced": _l("Draft replaced"),
}
STEP_LABELS = {
    None: _l("Waiting to start…"),
    "rackbeat_sales": _l("Reading booked sales invoices and credit notes from Rackbeat…"),
    "rackbeat_supplier": _l("Reading booked supplier invoices from Rackbeat…"),
    "dinero_sales": _l("Reading Dinero's sales list…"),
    "dinero_ledger": _l("Reading Dinero's ledger…"),
    "comparing": _l("Comparing…"),
}


def _counted(group: Group, count: int) -> str:
    """ "3 missing in Dinero": a group's count as the result line names it."""
    words = {
        Group.MATCHED: ngettext("%(num)s matched", "%(num)s matched", count),
        Group.MISSING: ngettext("%(num)s missing in Dinero", "%(num)s missing in Dinero", count),
        Group.AMOUNT_DIFFERS: ngettext(
            "%(num)s with a different amount", "%(num)s with a different amount", count
        ),
        Group.UNLINKED: ngettext(
            "%(num)s linked to nothing in Rackbeat", "%(num)s linked to nothing in Rackbeat", count
        ),
        Group.TWICE: ngettext("%(num)s transferred twice", "%(num)s transferred twice", count),
    }
    return words[group]


def today() -> date:
    """Today in Denmark (Babel's default time zone here): which month is "last month"."""
    return to_user_timezone(datetime.now(UTC)).date()


def month_name(first: date) -> str:
    """ "October 2026", in the reader's language."""
    return format_date(first, "MMMM y")


def step_text(run: Reconciliation) -> str:
    return str(STEP_LABELS.get(run.step, STEP_LABELS[None]))


def result(run: Reconciliation) -> str:
    """A finished run's result in one line: "clean", or each group that holds something."""
    if is_clean(run):
        return str(_l("clean: every invoice is in Dinero once, with the same amount"))
    counts = run.counts or {}
    shown = [
        _counted(group, counts.get(group.value, 0))
        for group in GROUPS
        if group == Group.MATCHED or counts.get(group.value)
    ]
    return ", ".join(shown)


def differences(run: Reconciliation) -> int:
    """How many lines are not matched (what support's list shows)."""
    counts = run.counts or {}
    return sum(counts.get(group.value, 0) for group in GROUPS if group != Group.MATCHED)


def amount(value: Decimal | None) -> str:
    """An amount as the reader writes it (1.204,00 in Danish)."""
    return "" if value is None else formatting.amount(value)


def reason(item: ReconciliationItem) -> str:
    return translated(item.reason_code, item.reason_params, None)


def fix_state(item: ReconciliationItem) -> str:
    return str(FIX_LABELS.get(item.fix, item.fix or ""))


def failure(run: Reconciliation) -> str:
    return translated(run.message_code, run.message_params, None) if run.message_code else ""


def draft_name(item: ReconciliationItem) -> str:
    """What the confirmation calls the draft: Dinero gives a draft no number, so the Rackbeat
    invoice it was made for, or its reference."""
    params = item.reason_params or {}
    return item.dinero_number or item.rackbeat_number or params.get("reference") or ""
