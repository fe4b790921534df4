"""The hourly import from Dinero on the Sales settings page (C5): when it runs next, the run
under way or the last one (how many imported, failed, and which vouchers it left alone), and
"Run now" (also on the overview)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from flask import g
from flask import redirect
from flask import request
from flask_babel import format_datetime
from flask_babel import format_time
from flask_babel import gettext as _
from redis.exceptions import RedisError

from rackdinero_app.audit import record
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import require_active
from rackdinero_app.embedded.views import to
from rackdinero_app.extensions import db
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers import invoice_import
from rackdinero_app.transfers.context import load_settings
from rackdinero_app.transfers.translation import translated

RUN_NOW_NOTICES = ("queued", "busy")


def import_card(connection_id: int, saved: SettingsSnapshot) -> dict[str, Any]:
    """What the Sales page's import card shows; nothing while invoices go to Dinero."""
    if saved.invoice_direction != InvoiceDirection.DINERO_TO_RACKBEAT:
        return {"invoice_import": None}
    notice = request.args.get("run_now")
    return {
        "invoice_import": invoice_import.import_status(connection_id, datetime.now(UTC)),
        "run_now": notice if notice in RUN_NOW_NOTICES else None,
        "clock": lambda moment: format_time(moment, "HH:mm") if moment else "",
        "when": lambda moment: format_datetime(moment, "d. MMM HH:mm") if moment else "",
        "import_message": lambda code, params: translated(code, params, None) if code else "",
    }


@bp.post("/settings/sales/import-now")
def import_invoices_now():
    """Queue an import run now ("Run now"); one at a time per connection. Audited."""
    if (inactive := require_active(starts_work=True)) is not None:
        return inactive
    if not invoice_import.imports(load_settings(g.connection.id)):
        return page_error(
            _(
                "Invoices are not imported from Dinero: choose that customer invoices are "
                "created in Dinero, turn the customer integration on, and save the Sales page "
                "first."
            ),
            409,
        )
    try:
        run, created = invoice_import.request_run(g.connection.id, requested_by=actor())
    except RedisError:
        return page_error(
            _("The import could not be queued right now. Try again in a minute."), 503
        )
    if created:
        record(
            g.connection,
            ActorType.RACKBEAT_USER,
            actor(),
            "invoice_import.run_now",
            details={"sync_run_id": run.id},
        )
        db.session.commit()
    notice = "queued" if created else "busy"
    if request.form.get("back") == "overview":
        return redirect(to("embedded.home", run_now=notice), 303)
    return redirect(to("embedded.settings_section", section="sales", run_now=notice), 303)
