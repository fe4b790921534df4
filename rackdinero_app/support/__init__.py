"""The vendor's support dashboard (/support): its own staff login, never an embedded session.

Staff accounts (``flask support add-staff``), the login (password, TOTP for operators, a forced
password change at first sign-in), idle expiry, attempt limits; the connections with their
health, one connection's page, the failure groups, the chart, the assisted-setup requests; and
the operators' actions, each with a reason and audited. Pages are English-only.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Flask
from flask import render_template

bp = Blueprint("support", __name__, url_prefix="/support")

ERRORS = {
    403: ("Not allowed", "Your role does not allow this. Ask an operator."),
    404: ("Not found", "There is no such connection, transfer or request. Go back and try again."),
    429: (
        "Too many attempts",
        "Too many wrong attempts from here or for this account. Wait 15 minutes and try again.",
    ),
}


def _error_page(error):
    title, text = ERRORS[error.code]
    return render_template("support/error.html", title=title, text=text), error.code


for _code in ERRORS:
    bp.register_error_handler(_code, _error_page)


def init_app(app: Flask) -> None:
    """The staff cookie (an app-wide hook), then the blueprint (the shared limiter is set up
    by the app factory, ``rackdinero_app/limits.py``)."""
    from rackdinero_app.support import actions  # noqa: F401
    from rackdinero_app.support import assisted_setup  # noqa: F401
    from rackdinero_app.support import audit_views  # noqa: F401
    from rackdinero_app.support import chart_views  # noqa: F401
    from rackdinero_app.support import connections  # noqa: F401
    from rackdinero_app.support import issues_views  # noqa: F401
    from rackdinero_app.support import pause  # noqa: F401
    from rackdinero_app.support import preview_views  # noqa: F401
    from rackdinero_app.support import reconciliation_views  # noqa: F401
    from rackdinero_app.support import requests  # noqa: F401
    from rackdinero_app.support import session
    from rackdinero_app.support import start_sync  # noqa: F401
    from rackdinero_app.support import views  # noqa: F401  (registers the routes)

    session.init_app(app)
    app.register_blueprint(bp)
