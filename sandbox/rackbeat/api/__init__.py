"""The REST API under /api: bearer tokens bound to one account, Laravel-shaped answers.

Every request passes the knobs first (latency, random 500s), then authentication and the rate
limit; a write may also "fail after commit" to exercise the caller's idempotency.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from flask import Blueprint
from flask import Response
from flask import g
from flask import jsonify
from flask import request

from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.records import RecordNotFound
from sandbox.rackbeat.records.validation import ValidationFailed

bp = Blueprint("api", __name__, url_prefix="/api")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _unauthenticated(reason: str) -> tuple[Response, int]:
    response = jsonify(message="Unauthenticated.")
    response.headers["WWW-Authenticate"] = (
        f'Bearer error="invalid_token", error_description="{reason}"'
    )
    return response, 401


@bp.before_request
def apply_knobs_and_authenticate() -> Any:
    store = get_store()
    knobs = store.knobs
    if knobs.latency_ms:
        time.sleep(knobs.latency_ms / 1000)
    if store.chance(knobs.error_rate):
        return jsonify(message="Server Error"), 500
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return _unauthenticated("missing bearer token")
    with store.lock:
        token = store.access_tokens.get(value.strip())
        if token is None or token.revoked:
            return _unauthenticated("unknown or revoked token")
        if token.expires_at is not None and token.expires_at <= store.now():
            return _unauthenticated("token expired")
        g.token = token
        g.account = store.accounts[token.account_id]
        return _rate_limit(store, token.value)


def _rate_limit(store: Any, token: str) -> Any:
    """At most ``rate_limit_per_minute`` calls per token in any 60 seconds (a sliding window);
    every call is counted per account, answered 429 or not (``GET /_sandbox/requests``)."""
    store.api_requests[g.account.id] += 1
    limit = store.knobs.rate_limit_per_minute
    if not limit:
        return None
    now = time.monotonic()
    calls = store.api_calls.setdefault(token, deque())
    while calls and calls[0] <= now - 60:
        calls.popleft()
    if len(calls) >= limit:
        store.api_refused[g.account.id] += 1
        response = jsonify(message="Too Many Attempts.")
        response.headers["Retry-After"] = str(max(1, round(60 - (now - calls[0]))))
        response.headers["X-RateLimit-Limit"] = str(limit)
        response.headers["X-RateLimit-Remaining"] = "0"
        return response, 429
    calls.append(now)
    return None


@bp.after_request
def fail_after_commit(response: Response) -> Response:
    """The ``fail_after_commit_rate`` knob: the write happened, the caller sees a 500."""
    store = get_store()
    if (
        request.method in WRITE_METHODS
        and response.status_code < 300
        and store.chance(store.knobs.fail_after_commit_rate)
    ):
        failed = jsonify(message="Server Error")
        failed.status_code = 500
        return failed
    return response


@bp.errorhandler(ValidationFailed)
def invalid(error: ValidationFailed) -> Any:
    return jsonify(message="The given data was invalid.", errors=error.errors), 422


@bp.errorhandler(RecordNotFound)
def not_found(error: RecordNotFound) -> Any:
    return jsonify(message=str(error)), 404


from sandbox.rackbeat.api import account  # noqa: E402,F401
from sandbox.rackbeat.api import catalog  # noqa: E402,F401
from sandbox.rackbeat.api import contacts  # noqa: E402,F401
from sandbox.rackbeat.api import invoices  # noqa: E402,F401
from sandbox.rackbeat.api import webhooks  # noqa: E402,F401
