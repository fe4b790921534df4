"""Operator actions on a connection's support page: retry one or all failed transfers, run a
troubleshooting transfer (T1), run the hourly invoice import now.

Each one is a POST form shown to operators only, needs a reason (kept in the audit entry with
who did what to which connection), and goes through the same shared code as the customer's
own buttons, so support never does something the customer could not. Bad input answers 400,
an action that cannot be done now 409; either way nothing is done."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import g
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from redis.exceptions import RedisError

from rackdinero_app import audit
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import TransferState
from rackdinero_app.support import bp
from rackdinero_app.support.auth import staff_required
from rackdinero_app.support.connections import bad_request
from rackdinero_app.transfers import invoice_import
from rackdinero_app.transfers import rows
from rackdinero_app.transfers import troubleshoot
from rackdinero_app.transfers.context import load_settings

MAX_REASON = 500
MAX_AUDITED_IDS = 100
TRY_AGAIN = "The job queue cannot be reached right now. Try again in a minute."


def refuse(message: str, status: int = 409):
    """Stop the request with a page that says why the action cannot be done now."""
    titles = {400: "Bad request", 404: "Not found", 409: "Not possible now", 503: "Try again"}
    page = render_template(
        "support/connection_bad_request.html", title=titles.get(status), text=message
    )
    abort(make_response(page, status))


def begin(connection_id: int, *, uninstalled_too: bool = False) -> tuple[Connection, str]:
    """The connection and the operator's reason, or a 404 / 400 / 409 (uninstalled, unless
    the action is one that still makes sense then, like closing a customer's request)."""
    connection = db.session.get(Connection, connection_id) or abort(404)
    reason = request.form.get("reason", "").strip()
    if not reason:
        bad_request("Give a reason: it is kept in the audit log with the action.")
    if len(reason) > MAX_REASON:
        bad_request(f"The reason is at most {MAX_REASON} characters.")
    if connection.state == ConnectionState.UNINSTALLED and not uninstalled_too:
        refuse("This connection is uninstalled: nothing can be run for it.")
    return connection, reason


def require_active(connection: Connection) -> None:
    """Transfers and imports run for an active connection only (as on the customer's page)."""
    if connection.state != ConnectionState.ACTIVE:
        refuse(f"This connection is {connection.state.value}, not active: nothing was run.")


def done(connection: Connection, action: str, reason: str, details: dict, message: str):
    """Audit what was done (who, what, which connection, why), say so, go back to the page."""
    audit.record(connection, ActorType.STAFF, g.staff.email, action, reason=reason, details=details)
    db.session.commit()
    return told(connection, message)


def told(connection: Connection, message: str):
    flash(message)
    return redirect(url_for("support.connection", connection_id=connection.id), 303)


@bp.post("/connections/<int:connection_id>/transfers/<int:transfer_id>/retry")
@staff_required("operator")
def retry_transfer(connection_id: int, transfer_id: int):
    """Retry one failed transfer, as the customer's Retry button does."""
    connection = db.session.get(Connection, connection_id) or abort(404)
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or transfer.connection_id != connection.id:
        abort(404)
    connection, reason = begin(connection_id)
    if transfer.state != TransferState.FAILED or not rows.send_again(transfer.id):
        refuse(f"Transfer {transfer.id} is {transfer.state.value}: only a failed one is retried.")
    details = {"transfer_id": transfer.id, "kind": transfer.kind.value}
    message = f"Transfer {transfer.id} is queued again."
    return done(connection, "transfer_retried", reason, details, message)


@bp.post("/connections/<int:connection_id>/retry-failed")
@staff_required("operator")
def retry_failed(connection_id: int):
    """Retry every failed transfer of the connection; one audit entry for all of them."""
    connection, reason = begin(connection_id)
    failed = db.session.scalars(
        sa.select(Transfer.id)
        .where(Transfer.connection_id == connection.id, Transfer.state == TransferState.FAILED)
        .order_by(Transfer.id)
    ).all()
    retried = [transfer_id for transfer_id in failed if rows.send_again(transfer_id)]
    if not retried:
        return told(connection, "There were no failed transfers to retry.")
    details = {"count": len(retried), "transfer_ids": retried[:MAX_AUDITED_IDS]}
    message = f"{len(retried)} failed transfer(s) queued again."
    return done(connection, "transfers_retried", reason, details, message)


@bp.post("/connections/<int:connection_id>/troubleshoot")
@staff_required("operator")
def troubleshoot_invoice(connection_id: int):
    """Send one invoice by number and kind now, as the customer's troubleshooting page does."""
    connection, reason = begin(connection_id)
    number = request.form.get("number", "").strip()
    direction = troubleshoot.direction_of(request.form.get("direction", ""))
    if not troubleshoot.valid_number(number):
        bad_request("Enter the invoice number as it is shown in Rackbeat or Dinero, e.g. 1001.")
    if direction is None:
        choices = ", ".join(d.value for d in troubleshoot.Direction)
        bad_request(f"Choose what kind of invoice it is: one of {choices}.")
    require_active(connection)
    try:
        sent = troubleshoot.start(connection.id, direction, number)
    except RedisError:
        refuse(TRY_AGAIN, 503)
    details = {"direction": direction.value, "number": number}
    if isinstance(sent, troubleshoot.DineroLookup):
        details["lookup_id"] = sent.id
        message = f"Dinero is searched for invoice {number}; its transfer appears in the log."
    elif sent.already_transferred:
        details["already_transferred"] = True
        message = f"Invoice {number} is already in the other system: nothing was sent."
    else:
        details["transfer_id"] = sent.transfer.id
        message = f"Invoice {number} is being sent now (transfer {sent.transfer.id})."
    return done(connection, "troubleshooting", reason, details, message)


@bp.post("/connections/<int:connection_id>/import-now")
@staff_required("operator")
def import_now(connection_id: int):
    """Queue the hourly invoice import now, as the customer's "Run now" does."""
    connection, reason = begin(connection_id)
    require_active(connection)
    if not invoice_import.imports(load_settings(connection.id)):
        refuse(
            "Invoices are not imported from Dinero for this connection: its settings send "
            "customer invoices to Dinero, or the customer integration is off."
        )
    try:
        run, created = invoice_import.request_run(connection.id, requested_by=g.staff.email)
    except RedisError:
        refuse(TRY_AGAIN, 503)
    if not created:
        return told(connection, "An import is already queued or running: nothing was added.")
    details = {"sync_run_id": run.id}
    return done(connection, "invoice_import.run_now", reason, details, "The import is queued.")
