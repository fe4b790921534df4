""" "Ask support to set this up" on the overview: the paid assisted setup (2,500 DKK excl.
VAT), requested with an optional note; the card then shows what support has done with it."""

from __future__ import annotations

from typing import Any

from flask import g
from flask import redirect
from flask import request
from flask_babel import format_date
from flask_babel import gettext as _

from rackdinero_app import support_requests
from rackdinero_app.embedded import bp
from rackdinero_app.embedded.views import actor
from rackdinero_app.embedded.views import page_error
from rackdinero_app.embedded.views import require_active
from rackdinero_app.embedded.views import to
from rackdinero_app.models.support_request import MAX_NOTE

NOTICES = ("created", "already")


def support_request_card(connection_id: int) -> dict[str, Any]:
    """What the overview's assisted-setup card shows: the newest request (a closed one offers
    the button again) and, after a click, whether it made a request or found one waiting."""
    notice = request.args.get("support_request")
    return {
        "support_request": support_requests.latest_request(connection_id),
        "support_request_notice": notice if notice in NOTICES else None,
        "support_request_max": MAX_NOTE,
        "day": lambda moment: format_date(moment, "long") if moment else "",
    }


@bp.post("/support-request")
def ask_support():
    """Ask support for assisted setup; a second click while one waits makes nothing new."""
    if (inactive := require_active()) is not None:
        return inactive
    note = request.form.get("message", "").strip()
    if len(note) > MAX_NOTE:
        return page_error(
            _(
                "The note is at most %(max)s characters. Shorten it and ask again.",
                max=MAX_NOTE,
            ),
            422,
        )
    _row, created = support_requests.create(g.connection, actor(), note)
    notice = "created" if created else "already"
    return redirect(to("embedded.home", support_request=notice, _anchor="assisted-setup"), 303)
