"""The dry run of an invoice (PV1) on a connection's support page: read-only, so viewers may
use it too; shown in English, whatever the browser asks for. Nothing is written or audited
(viewing is not audited on the dashboard)."""

from __future__ import annotations

from flask import abort
from flask import render_template
from flask import request
from flask_babel import force_locale
from redis.exceptions import RedisError

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.support import bp
from rackdinero_app.support.auth import staff_required
from rackdinero_app.support.connections import bad_request
from rackdinero_app.transfers import troubleshoot
from rackdinero_app.transfers.preview import dinero_web_link
from rackdinero_app.transfers.preview import preview
from rackdinero_app.transfers.troubleshoot import Direction

KINDS = (Direction.SALES_TO_DINERO.value, Direction.SUPPLIER_TO_DINERO.value)


@bp.get("/connections/<int:connection_id>/preview")
@staff_required()
def connection_preview(connection_id: int):
    """What a transfer of invoice ``number`` would send and what stops it; 400 on bad input."""
    connection = db.session.get(Connection, connection_id) or abort(404)
    number = request.args.get("number", "").strip()
    direction = request.args.get("direction", "")
    if not troubleshoot.valid_number(number):
        bad_request("Enter the invoice number as it is shown in Rackbeat, e.g. 1001.")
    if direction not in KINDS:
        bad_request(f"Choose what kind of invoice it is: one of {', '.join(KINDS)}.")
    kind = troubleshoot.RACKBEAT_KIND[Direction(direction)]
    with force_locale("en"):
        try:
            result = preview(connection, kind, number)
        except RedisError:
            return render_template(
                "support/connection_bad_request.html",
                title="Try again",
                text="The cache cannot be reached right now. Try again in a minute.",
            ), 503
        link = result.existing and dinero_web_link(connection, result.existing.dinero_guid)
        return render_template(
            "support/connection_preview.html",
            connection=connection,
            number=number,
            direction=direction,
            preview=result,
            show=lambda message: message.text,
            existing_link=link,
        )
