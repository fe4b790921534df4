"""Troubleshooting (T1): send one invoice by its number now and watch its outcome."""

from __future__ import annotations

from flask import abort
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError

from rackdinero_app.audit import record
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.transfer_log import KIND_LABELS
from rackdinero_app.embedded.transfer_log import STATE_LABELS
from rackdinero_app.embedded.transfer_log import dinero_link
from rackdinero_app.embedded.transfer_log import rackbeat_link
from rackdinero_app.embedded.transfer_log import search_key
from rackdinero_app.embedded.transfer_log import shown_message
from rackdinero_app.embedded.transfer_log import transfer_title
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import require_active
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import ActorType
from rackdinero_app.transfers import rows
from rackdinero_app.transfers import troubleshoot
from rackdinero_app.transfers.preview import dinero_web_link
from rackdinero_app.transfers.preview import preview
from rackdinero_app.transfers.translation import render
from rackdinero_app.transfers.troubleshoot import Direction

TRY_AGAIN = _l("The invoice could not be looked up just now. Please try again in a minute.")
CANNOT_PREVIEW = _l(
    "Only invoices from Rackbeat to Dinero can be previewed. Choose a sales or supplier invoice "
    "from Rackbeat."
)
CHOICES = {
    Direction.SALES_TO_DINERO: _l("Sales invoice from Rackbeat to Dinero"),
    Direction.SUPPLIER_TO_DINERO: _l("Supplier invoice from Rackbeat to Dinero"),
    Direction.SALES_FROM_DINERO: _l("Sales invoice or credit note from Dinero to Rackbeat"),
}


def _page(
    errors: dict[str, str], values: dict[str, str], status: int = 200, sent=None, reason=None
):
    return render_template(
        "embedded/troubleshoot.html",
        errors=errors,
        values=values,
        choices=CHOICES,
        sent=sent,
        reason=reason,
        kind_labels=KIND_LABELS,
        dinero_link=dinero_link,
        rackbeat_link=rackbeat_link,
    ), status


def _posted() -> tuple[dict[str, str], dict[str, str]]:
    """The form's number and kind, and what is wrong with them (the Send and Preview
    buttons post the same form)."""
    values = {
        "number": request.form.get("number", "").strip(),
        "direction": request.form.get("direction", ""),
    }
    errors: dict[str, str] = {}
    if not troubleshoot.valid_number(values["number"]):
        errors["number"] = str(
            _l("Enter the invoice number as it is shown in Rackbeat or Dinero, e.g. 1001.")
        )
    if values["direction"] not in CHOICES:
        errors["direction"] = str(_l("Choose what kind of invoice it is."))
    return values, errors


@bp.route("/troubleshooting", methods=["GET", "POST"])
def troubleshooting():
    """Enter an invoice number, choose what it is, and it is sent at once."""
    if (inactive := require_active(starts_work=True)) is not None:
        return inactive
    values = {"number": "", "direction": Direction.SALES_TO_DINERO.value}
    if request.method == "GET":
        return _page({}, values)
    values, errors = _posted()
    if errors:
        return _page(errors, values, 422)
    direction = Direction(values["direction"])
    audit = {"direction": direction.value, "number": values["number"]}
    try:
        sent = troubleshoot.start(g.connection.id, direction, values["number"])
    except RedisError:
        return page_error(str(TRY_AGAIN), 503)
    if isinstance(sent, troubleshoot.DineroLookup):
        record(g.connection, ActorType.RACKBEAT_USER, actor(), "troubleshooting", details=audit)
        db.session.commit()
        return redirect(to("embedded.troubleshooting_lookup", lookup_id=sent.id), 303)
    audit["already_transferred"] = sent.already_transferred
    record(g.connection, ActorType.RACKBEAT_USER, actor(), "troubleshooting", details=audit)
    db.session.commit()
    if sent.already_transferred:
        return _page({}, values, 200, sent)
    return redirect(to("embedded.troubleshooting_outcome", transfer_id=sent.transfer.id), 303)


@bp.post("/troubleshooting/preview")
def troubleshooting_preview():
    """The dry run (PV1): what the transfer would send and what stops it, with the form again
    so the user can fix a setting in another tab and preview again. It starts no work and
    writes nothing, so it is allowed while support has paused the transfers."""
    if (inactive := require_active()) is not None:
        return inactive
    values, errors = _posted()
    if values["direction"] == Direction.SALES_FROM_DINERO:
        errors["direction"] = str(CANNOT_PREVIEW)
    if errors:
        return _page(errors, values, 422)
    kind = troubleshoot.RACKBEAT_KIND[Direction(values["direction"])]
    try:
        result = preview(g.connection, kind, values["number"])
    except RedisError:
        return page_error(str(TRY_AGAIN), 503)
    link = result.existing and dinero_web_link(g.connection, result.existing.dinero_guid)
    return render_template(
        "embedded/troubleshoot_preview.html",
        errors={},
        values=values,
        choices=CHOICES,
        preview=result,
        show=lambda message: render(message.code, message.json_params()),
        existing_link=link,
    )


@bp.get("/troubleshooting/dinero/<lookup_id>")
def troubleshooting_lookup(lookup_id: str):
    """Dinero is searched for the invoice; then its transfer is followed, or the reason shown."""
    lookup = troubleshoot.dinero_lookup(lookup_id, g.connection.id) or abort(404)
    if lookup.transfer_id is not None:
        return redirect(to("embedded.troubleshooting_outcome", transfer_id=lookup.transfer_id))
    values = {"number": lookup.number, "direction": Direction.SALES_FROM_DINERO.value}
    if lookup.finished:
        reason = render(lookup.reason["code"], lookup.reason["params"])
        return _page({}, values, 200, reason=reason)
    return render_template("embedded/troubleshoot_lookup.html", lookup=lookup)


@bp.get("/troubleshooting/dinero/<lookup_id>/status")
def troubleshooting_lookup_status(lookup_id: str):
    lookup = troubleshoot.dinero_lookup(lookup_id, g.connection.id) or abort(404)
    return jsonify(finished=lookup.finished)


def _own_transfer(transfer_id: int) -> Transfer:
    transfer = db.session.get(Transfer, transfer_id)
    if transfer is None or transfer.connection_id != g.connection.id:
        abort(404)
    return transfer


@bp.get("/troubleshooting/<int:transfer_id>")
def troubleshooting_outcome(transfer_id: int):
    """The transfer as it happens; the page reloads itself until it has an outcome."""
    transfer = _own_transfer(transfer_id)
    return render_template(
        "embedded/troubleshoot_outcome.html",
        transfer=transfer,
        finished=transfer.state not in rows.OPEN_STATES,
        transfer_title=transfer_title,
        search_key=search_key,
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        shown_message=shown_message,
        dinero_link=dinero_link,
        rackbeat_link=rackbeat_link,
    )


@bp.get("/troubleshooting/<int:transfer_id>/status")
def troubleshooting_status(transfer_id: int):
    transfer = _own_transfer(transfer_id)
    return jsonify(
        state=transfer.state.value,
        finished=transfer.state not in rows.OPEN_STATES,
        message=shown_message(transfer),
    )
