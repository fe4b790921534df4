"""/_sandbox: knobs, reset, and the webhook outbox, for developers and tests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.knobs import validate_changes

bp = Blueprint("control", __name__, url_prefix="/_sandbox")

DEFAULT_FLUSH_TIMEOUT_SECONDS = 30.0


@bp.get("/knobs")
def knobs() -> Any:
    return jsonify(get_store().knobs.as_dict())


@bp.post("/knobs")
def set_knobs() -> Any:
    """Change some knobs; the body is a JSON object of knob names to values."""
    changes = request.get_json(silent=True)
    if not isinstance(changes, dict):
        return jsonify(message="The body must be a JSON object of knobs."), 400
    values, errors = validate_changes(changes)
    if errors:
        return jsonify(message="The given data was invalid.", errors=errors), 422
    store = get_store()
    store.set_knobs(values)
    return jsonify(store.knobs.as_dict())


@bp.post("/reset")
def reset() -> Any:
    """Back to the seed: data, tokens, webhooks, deliveries and knobs."""
    store = get_store()
    store.reset()
    return jsonify(store.knobs.as_dict())


@bp.get("/requests")
def requests_made() -> Any:
    """``{"<account id>": {"requests": n, "refused": m}}``: API calls per account since the
    last reset, and how many of them the rate limit refused (429)."""
    store = get_store()
    with store.lock:
        return jsonify(
            {
                str(account): {"requests": count, "refused": store.api_refused[account]}
                for account, count in store.api_requests.items()
            }
        )


@bp.get("/consumers")
def consumers() -> Any:
    """Every machine request since the last reset (the latest 5000): method, path and what it
    said about its caller (``Consumer-Name``, ``Consumer-Contact``, ``User-Agent``)."""
    store = get_store()
    with store.lock:
        return jsonify(list(store.consumer_log))


@bp.get("/outbox")
def outbox() -> Any:
    return jsonify(get_store().outbox.counts())


@bp.post("/flush-webhooks")
def flush_webhooks() -> Any:
    """Wait until every queued delivery (retries included) is done; 504 if ``timeout`` passes."""
    timeout = request.args.get("timeout", DEFAULT_FLUSH_TIMEOUT_SECONDS, type=float)
    outbox = get_store().outbox
    idle = outbox.wait_idle(timeout)
    return jsonify(idle=idle, **outbox.counts()), 200 if idle else 504
