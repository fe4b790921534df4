"""Contract B's settings URL: Rackbeat frames ``/embedded/connections/<id>/<secret>`` as it is.

Nothing is signed and no user is named (rackbeat.md §4), so the secret in the path is the only
proof; it is compared in constant time. A right secret mints the same short-lived embedded
session as a contract-A launch (bound to this browser by the same cookie) and shows the
overview; anything else is a plain 404.
"""

from __future__ import annotations

import secrets

from flask import abort
from flask import request

from rackdinero_app.embedded import bp
from rackdinero_app.embedded import session as embedded_session
from rackdinero_app.embedded.locale import FALLBACK
from rackdinero_app.embedded.locale import LANGUAGES
from rackdinero_app.embedded.views import open_session
from rackdinero_app.extensions import db
from rackdinero_app.install.contracts import INTEGRATION
from rackdinero_app.install.contracts import only_if_offered
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState


@bp.get("/connections/<int:connection_id>/<secret>")
@only_if_offered(INTEGRATION)
def settings_link(connection_id: int, secret: str):
    connection = db.session.get(Connection, connection_id)
    expected = (connection.settings_secret if connection is not None else None) or ""
    matches = secrets.compare_digest(expected.encode(), secret.encode())
    if (
        not matches
        or not expected
        or connection.rackbeat_contract != INTEGRATION
        or connection.state == ConnectionState.UNINSTALLED
    ):
        abort(404)
    locale = request.accept_languages.best_match(LANGUAGES) or FALLBACK
    return open_session(
        lambda secret: embedded_session.issue_for_settings_link(connection, locale, secret)
    )
