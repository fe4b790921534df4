"""Contract B's tokens, replaced on a schedule (the periodic job in ``tasks/cron.py``).

Rackbeat does not say how long an integration token lives (rackbeat.md §1); its own dashboard
replaces every connection's token with a command. A contract-B token is stored with a
"replace by" time of ``RACKBEAT_TOKEN_REPLACE_DAYS`` after it was obtained (as its expiry), and
the daily job replaces the ones past it with ``POST /api/tokens/replace-current``, each under
the same per-connection lock as a refresh on a 401. Contract A's tokens refresh on use.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.rackbeat_tokens import INTEGRATION
from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ConnectionState

log = logging.getLogger(__name__)


def due(now: datetime) -> list[int]:
    """Contract-B connections with a token past its replace-by time (or without one)."""
    expires = Connection.rackbeat_token_expires_at
    return list(
        db.session.scalars(
            sa.select(Connection.id)
            .where(
                Connection.rackbeat_contract == INTEGRATION,
                Connection.state != ConnectionState.UNINSTALLED,
                Connection.rackbeat_access_token.is_not(None),
                sa.or_(expires.is_(None), expires <= now),
            )
            .order_by(Connection.id)
        )
    )


def replace_due_tokens(now: datetime | None = None) -> dict[str, int]:
    """Replace every due token; a refusal is logged, and that connection's next call to
    Rackbeat says to reinstall (as a refused refresh does)."""
    replaced = failed = 0
    for connection_id in due(now or utcnow()):
        connection = db.session.get(Connection, connection_id)
        try:
            rackbeat_client(connection).replace_token()
            replaced += 1
        except ClientError as error:
            failed += 1
            log.warning("Connection %s: Rackbeat token not replaced: %s", connection_id, error)
    return {"replaced": replaced, "failed": failed}
