"""What happens around every API call, in Dinero's order.

Before the view: count the request, add latency, authenticate the bearer token (401), check
that it opens the organization in the path (403; a Visma Connect token also needs
``dineropublicapi:read``, or ``:write`` to change anything), apply the rate limit (429), require
Pro (403, except for ``/organizations``), and maybe fail with an injected 500 (before any write).
After the view: maybe stall after a committed write (``timeout_after_commit_rate``), and, with
``VALIDATE_RESPONSES``, check the response body against the documented schema.

Rate limit: a FIXED window per organization (as AspNetCoreRateLimit, whose default message
Dinero's 429 text is, counts). It counts every authenticated call on api.dinero.dk for that
organization, including ``GET /v1/organizations`` (counted to an API-key token's organization;
a Visma Connect token names none, so that call counts to no organization) and calls it
rejects; the token endpoints live on other hosts (authz.dinero.dk, connect.visma.com) and are
not counted.
"""

from __future__ import annotations

import json
import math
import time

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import jsonify
from flask import request

from sandbox.dinero import spec
from sandbox.dinero import state
from sandbox.dinero.auth import Bearer
from sandbox.dinero.auth import Forbidden
from sandbox.dinero.auth import bearer
from sandbox.dinero.validation import check_response

WRITE_METHODS = {"POST", "PUT", "DELETE"}


def register_gate(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)


def _operation() -> spec.Operation | None:
    if request.url_rule is None:
        return None
    return spec.operations().get((request.method, spec.openapi_path(request.url_rule.rule)))


def _before():
    operation = _operation()
    g.operation = operation
    if operation is None:
        if request.endpoint == "dinero_auth.token":
            _count_token_request()
        return None
    sandbox = state.current()
    path_org = (request.view_args or {}).get("organizationId")
    g.counted_as = path_org or "-"
    with sandbox.lock:
        latency = sandbox.knobs.latency_ms
    if latency:
        time.sleep(latency / 1000)

    access = bearer()
    organization_id = _organization_of(access, path_org)
    g.counted_as = str(organization_id) if organization_id is not None else "-"
    if organization_id is not None:
        limited = _rate_limited(organization_id)
        if limited is not None:
            return limited
    with sandbox.lock:
        g.organizations = [
            sandbox.organizations[i] for i in access.organization_ids if i in sandbox.organizations
        ]
        organization = sandbox.organizations.get(organization_id) if organization_id else None
        g.organization = organization or (g.organizations[0] if g.organizations else None)
        if path_org is not None and organization is None:
            raise Forbidden(f"The access token does not give access to organization {path_org}.")
        if path_org is not None and not organization.is_pro:
            # [ERR] says code 90 for "no Pro", the older docs say 48: the sources disagree.
            raise Forbidden("The organization does not have a Pro subscription.", code=90)
        injected_error = sandbox.rng.random() < sandbox.knobs.error_rate
    if injected_error:
        return jsonify(
            {"code": 500, "message": "An error has occurred.", "validationErrors": {}}
        ), 500
    return None


def _organization_of(access: Bearer, path_org: str | None) -> int | None:
    """The organization a call works on: the one in its path, which the token must open (with
    the scope the method needs), else an API-key token's own; 401/403 otherwise."""
    scope = "dineropublicapi:write" if request.method in WRITE_METHODS else "dineropublicapi:read"
    if not access.allows(scope):
        raise Forbidden(f"The access token lacks the scope {scope}.")
    if path_org is None:
        return access.organization_ids[0] if access.scopes is None else None
    if path_org not in {str(i) for i in access.organization_ids}:
        raise Forbidden(f"The access token does not give access to organization {path_org}.")
    return int(path_org)


def _count_token_request() -> None:
    sandbox = state.current()
    with sandbox.lock:
        organization = sandbox.organization_by_key(request.form.get("username", ""))
        key = str(organization.id) if organization else "-"
        sandbox.request_counts[(key, request.method, request.url_rule.rule)] += 1


def _rate_limited(organization_id: int) -> Response | None:
    sandbox = state.current()
    with sandbox.lock:
        limit = sandbox.knobs.rate_limit.limit
        window_seconds = sandbox.knobs.rate_limit.window_seconds
        moment = time.monotonic()
        window = sandbox.rate_windows.get(organization_id)
        if window is None or moment - window.started_at >= window_seconds:
            window = sandbox.rate_windows[organization_id] = state.RateWindow(started_at=moment)
        window.count += 1
        if window.count <= limit:
            return None
        window.rejections += 1
        mode = sandbox.knobs.retry_after_mode
        with_header = mode == "always" or (mode == "alternate" and window.rejections % 2 == 1)
        seconds_left = window.started_at + window_seconds - moment
    text = f"API calls quota exceeded! maximum admitted {limit} per {_period(window_seconds)}."
    response = Response(text, status=429, mimetype="text/plain")
    if with_header:
        response.headers["Retry-After"] = str(max(1, math.ceil(seconds_left)))
    return response


def _period(seconds: float) -> str:
    """AspNetCoreRateLimit's period notation: ``1m``, ``2s``, ``1h``."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{seconds:g}s"


def _after(response: Response) -> Response:
    operation = getattr(g, "operation", None)
    if operation is None:
        return response
    sandbox = state.current()
    with sandbox.lock:
        sandbox.request_counts[(g.counted_as, request.method, operation.path)] += 1
    if request.method in WRITE_METHODS and response.status_code < 400:
        with sandbox.lock:
            stall = sandbox.rng.random() < sandbox.knobs.timeout_after_commit_rate
            seconds = sandbox.knobs.timeout_after_commit_seconds
        if stall:
            time.sleep(seconds)
    if current_app.config.get("VALIDATE_RESPONSES"):
        _check_documented_shape(operation, response)
    return response


def _check_documented_shape(operation: spec.Operation, response: Response) -> None:
    if response.status_code == 429 or response.mimetype != "application/json":
        return
    body = json.loads(response.get_data(as_text=True))
    if response.status_code != 200:
        if not {"code", "message", "validationErrors"} <= set(body):
            raise AssertionError(f"Error body lacks code/message/validationErrors: {body}")
        return
    if operation.response_schema is None:
        raise AssertionError(f"{operation.method} {operation.path} documents no JSON body")
    check_response(operation.response_schema, body, projected=bool(g.get("projected")))
