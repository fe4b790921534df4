"""The transfer log (embedded): every transfer, newest first, with its outcome; Retry on a
failed one and Send again on a skipped one."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import g
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rackdinero_app.audit import record
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers.links import owner_of
from rackdinero_app.transfers.log_query import LogFilters
from rackdinero_app.transfers.log_query import log_page
from rackdinero_app.transfers.rows import send_again
from rackdinero_app.transfers.translation import translated

PAGE_SIZE = 50
# A page number or search beyond these is a mistake or a probe, never worth a query.
MAX_PAGE = 1000
MAX_SEARCH = 255
STATE_LABELS = {
    TransferState.PENDING: _l("Pending"),
    TransferState.RUNNING: _l("Running"),
    TransferState.SUCCEEDED: _l("Succeeded"),
    TransferState.FAILED: _l("Failed"),
    TransferState.SKIPPED: _l("Skipped"),
}
KIND_LABELS = {
    EntityKind.CUSTOMER: _l("Customer"),
    EntityKind.SUPPLIER: _l("Supplier"),
    EntityKind.PRODUCT: _l("Product"),
    EntityKind.CUSTOMER_INVOICE: _l("Sales invoice"),
    EntityKind.CREDIT_NOTE: _l("Credit note"),
    EntityKind.SUPPLIER_INVOICE: _l("Supplier invoice"),
    EntityKind.GOODS_CONSUMPTION: _l("Goods consumption"),
}
RACKBEAT_PAGES = {
    EntityKind.CUSTOMER: "customers/{key}",
    EntityKind.SUPPLIER: "suppliers/{key}",
    EntityKind.PRODUCT: "products/{key}",
    EntityKind.CUSTOMER_INVOICE: "customer-invoices#customer-invoices-{key}",
    EntityKind.CREDIT_NOTE: "customer-invoices#customer-invoices-{key}",
    EntityKind.GOODS_CONSUMPTION: "customer-invoices#customer-invoices-{key}",
    EntityKind.SUPPLIER_INVOICE: "supplier-invoices#supplier-invoices-{key}",
}


def rackbeat_key(transfer: Transfer) -> str | None:
    """The Rackbeat record a transfer is about: its source, or, for one from Dinero, the
    record it became (none until it is created)."""
    if transfer.direction == TransferDirection.RACKBEAT_TO_DINERO:
        return transfer.source_key
    link = owner_of(transfer.connection_id, transfer.kind, transfer.source_key)
    return link.rackbeat_key if link is not None else None


def rackbeat_link(transfer: Transfer) -> str | None:
    key = rackbeat_key(transfer)
    if key is None:
        return None
    base = current_app.config["RACKBEAT_BASE_URL"].rstrip("/")
    return f"{base}/{RACKBEAT_PAGES[transfer.kind].format(key=key)}"


def transfer_title(transfer: Transfer) -> str:
    """ "Sales invoice 1001", or, for one from Dinero, "Sales invoice from Dinero no. 12"."""
    if transfer.direction == TransferDirection.RACKBEAT_TO_DINERO:
        return f"{KIND_LABELS[transfer.kind]} {transfer.source_key}"
    return str(
        _l(
            "%(kind)s from Dinero no. %(number)s",
            kind=KIND_LABELS[transfer.kind],
            number=transfer.dinero_number or transfer.source_key[:8],
        )
    )


def search_key(transfer: Transfer) -> str:
    """What finds the transfer in the log's number search."""
    if transfer.direction == TransferDirection.RACKBEAT_TO_DINERO:
        return transfer.source_key
    return transfer.dinero_number or transfer.source_key


def shown_message(transfer: Transfer) -> str:
    """The transfer's message in the page's language."""
    return translated(transfer.message_code, transfer.message_params, transfer.message)


def dinero_link(transfer: Transfer) -> str | None:
    if not transfer.dinero_guid:
        return None
    return current_app.config["DINERO_WEB_LINK"].format(
        organization_id=g.connection.dinero_organization_id, guid=transfer.dinero_guid
    )


def bounded_query():
    """The page number and the search, or a 400 page saying what is wrong with them."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE):
        message = _("The page number must be a whole number from 1 to %(max)s.", max=MAX_PAGE)
        abort(make_response(page_error(message, 400)))
    search = request.args.get("q", "").strip()
    if len(search) > MAX_SEARCH:
        message = _("Search for at most %(max)s characters.", max=MAX_SEARCH)
        abort(make_response(page_error(message, 400)))
    return int(raw), search


@bp.get("/transfers")
def transfers():
    state = request.args.get("state", "")
    kind = request.args.get("kind", "")
    page, search = bounded_query()
    filters = LogFilters(
        state=TransferState(state) if state in TransferState.__members__.values() else None,
        kind=EntityKind(kind) if kind in EntityKind.__members__.values() else None,
        search=search,
    )
    rows, has_next = log_page(g.connection.id, filters, page, PAGE_SIZE)
    return render_template(
        "embedded/transfers.html",
        transfers=rows,
        has_next=has_next and page < MAX_PAGE,
        page=page,
        filters={"state": state, "kind": kind, "q": search},
        states=list(TransferState),
        kinds=list(EntityKind),
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        rackbeat_link=rackbeat_link,
        transfer_title=transfer_title,
        dinero_link=dinero_link,
        shown_message=shown_message,
    )


@bp.post("/transfers/<int:transfer_id>/retry")
def retry_transfer(transfer_id: int):
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or transfer.connection_id != g.connection.id:
        abort(404)
    if send_again(transfer.id):
        record(
            g.connection,
            ActorType.RACKBEAT_USER,
            actor(),
            "transfer_retried",
            details={"transfer_id": transfer.id, "kind": transfer.kind.value},
        )
        db.session.commit()
    return redirect(to("embedded.transfers"), 303)
