"""The support dashboard's connections: the searchable list with each one's health, and one
connection's read-only page (health, settings, open failures, transfer log, chart, audit).

Viewing writes nothing and is not audited (the export of the audit log is, in
``audit_views``). Bad filter values answer 400 with what was wrong; unknown ids answer 404."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flask import abort
from flask import g
from flask import make_response
from flask import render_template
from flask import request
from markupsafe import Markup

from rackdinero_app import support_requests
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.support import bp
from rackdinero_app.support import chart
from rackdinero_app.support import health
from rackdinero_app.support import reconciliation
from rackdinero_app.support.audit_views import audit_page
from rackdinero_app.support.auth import staff_required
from rackdinero_app.support.issues import open_failures
from rackdinero_app.sync import runs
from rackdinero_app.transfers.context import load_settings
from rackdinero_app.transfers.log_query import LogFilters
from rackdinero_app.transfers.log_query import log_page
from rackdinero_app.transfers.translation import translated

LOG_PAGE_SIZE = 50
SETTING_NAMES = (
    "customer_integration_enabled",
    "customer_number_in_name",
    "supplier_integration_enabled",
    "supplier_number_in_name",
    "supplier_invoice_status",
    "sales_invoice_status",
    "invoice_direction",
    "goods_consumption_enabled",
    "inventory_account",
    "goods_consumption_account",
)
MAPPING_NAMES = ("revenue_accounts", "purchase_accounts", "units", "layout_languages")


def bad_request(message: str):
    """Stop the request with a 400 page that says which value was wrong."""
    page = render_template("support/connection_bad_request.html", text=message)
    abort(make_response(page, 400))


def page_number(name: str = "page") -> int:
    raw = request.args.get(name, "1").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= health.MAX_PAGE:
        bad_request(f"The page number must be a whole number from 1 to {health.MAX_PAGE}.")
    return int(raw)


def choice(name: str, values: type[StrEnum]) -> StrEnum | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return values(raw)
    except ValueError:
        bad_request(f"Unknown {name} {raw!r}. Use one of: {', '.join(v.value for v in values)}.")


def day(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        bad_request(f"The {name} date must be written as YYYY-MM-DD, not {raw!r}.")


def log_filters() -> LogFilters:
    """The transfer log's filters from the query string, or a 400 for a bad one."""
    search = request.args.get("q", "").strip()
    if len(search) > 128:
        bad_request("The source key search is at most 128 characters.")
    filters = LogFilters(
        state=choice("state", TransferState),
        kind=choice("kind", EntityKind),
        direction=choice("direction", TransferDirection),
        search=search,
        since=day("since"),
        until=day("until"),
    )
    if filters.since and filters.until and filters.since > filters.until:
        bad_request("The 'since' date is after the 'until' date.")
    return filters


def connection_list():
    """The searchable list (also the dashboard's landing page)."""
    text = request.args.get("q", "").strip()
    if len(text) > health.MAX_SEARCH:
        bad_request(f"The search is at most {health.MAX_SEARCH} characters.")
    page = page_number()
    connections, has_next = health.search(text, page)
    return render_template(
        "support/connections.html",
        staff=g.staff,
        healths=health.health_of(connections),
        q=text,
        page=page,
        has_next=has_next,
    )


@bp.get("/connections")
@staff_required()
def connections():
    return connection_list()


@bp.get("/connections/<int:connection_id>")
@staff_required()
def connection(connection_id: int):
    found = db.session.get(Connection, connection_id) or abort(404)
    filters = log_filters()
    log_page_number = page_number("page")
    audit_page_number = page_number("audit_page")
    transfers, log_has_next = log_page(found.id, filters, log_page_number, LOG_PAGE_SIZE)
    entries, audit_has_next = audit_page(found.id, audit_page_number)
    return render_template(
        "support/connection.html",
        staff=g.staff,
        connection=found,
        health=health.health_of([found])[0],
        settings=settings_rows(found),
        groups=open_failures(found.id),
        start_sync=runs.latest_run(found.id),
        support_request=support_requests.open_request(found.id),
        transfers=transfers,
        log_has_next=log_has_next,
        page=log_page_number,
        filters=_filter_args(filters),
        options={"state": TransferState, "kind": EntityKind, "direction": TransferDirection},
        message_of=lambda t: translated(t.message_code, t.message_params, t.message),
        chart_svg=Markup(
            chart.render_svg(chart.transfers_per_hour(found.id), id_prefix="connection-chart")
        ),
        entries=entries,
        audit_page=audit_page_number,
        audit_has_next=audit_has_next,
        **reconciliation.section(found),
    )


def settings_rows(connection: Connection) -> dict:
    """The settings as the transfers read them (never a secret: those are not settings)."""
    snapshot = load_settings(connection.id)
    return {
        "scalars": [(name, getattr(snapshot, name)) for name in SETTING_NAMES],
        "mappings": [
            (name, sorted(getattr(snapshot, name).items(), key=lambda item: str(item[0])))
            for name in MAPPING_NAMES
        ],
    }


def _filter_args(filters: LogFilters) -> dict[str, str]:
    """The filters as query arguments, for the form and the paging links."""
    values = {
        "state": filters.state,
        "kind": filters.kind,
        "direction": filters.direction,
        "q": filters.search,
        "since": filters.since.isoformat() if filters.since else "",
        "until": filters.until.isoformat() if filters.until else "",
    }
    return {name: str(value) for name, value in values.items() if value}
