"""``POST /api/tokens/replace-current``: an integration token is replaced by a new one.

The bearer is the current token; the answer is ``{"token": "<new>"}`` and the old token stops
working (rackbeat.md §1). The sources do not say whether an expired token may still be
replaced; Rackbeat's own template replaces tokens on a schedule, so the sandbox accepts an
expired (but not a replaced or revoked) token, being no stricter than the sources. Tokens from
the OAuth install refresh at ``/oauth/token`` instead.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.integration import issue_token

bp = Blueprint("tokens", __name__, url_prefix="/api/tokens")


@bp.post("/replace-current")
def replace_current() -> Any:
    store = get_store()
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    with store.lock:
        current = store.access_tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if current is None or current.revoked:
            return jsonify(message="Unauthenticated."), 401
        if current.client_id != store.registration.integration_client_id:
            return jsonify(message="Only integration tokens are replaced here."), 403
        current.revoked = True
        fresh = issue_token(store, current.account_id, current.user_id, current.grant_id)
    return jsonify(token=fresh.value)
