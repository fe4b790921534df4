"""Creates answered "201, empty body", as Dinero's error-and-status page documents them.

The OpenAPI document shows each create answering 200 with the created object, but Dinero's
own status page lists "201: empty body". With the ``empty_created_rate`` knob a committed create
is answered that way, so a client must find what it created by the identity it gave it.
"""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import g
from flask import request

from sandbox.dinero import state

# (METHOD, OpenAPI path) of every create the sandbox serves.
CREATES = frozenset(
    ("POST", path)
    for path in (
        "/v1/{organizationId}/contacts",
        "/v1/{organizationId}/products",
        "/v1/{organizationId}/invoices",
        "/v1/{organizationId}/sales/creditnotes",
        "/v1.1/{organizationId}/vouchers/purchase",
        "/v1.2/{organizationId}/vouchers/purchase",
        "/v1/{organizationId}/vouchers/purchase/creditnotes",
        "/v1/{organizationId}/vouchers/manuel",
        "/v1/{organizationId}/files",
    )
)


def register(app: Flask) -> None:
    """Register before the gate: after-request hooks run in reverse order, so the gate has
    counted, stalled and checked the real answer before it is emptied here."""
    app.after_request(_maybe_empty)


def _maybe_empty(response: Response) -> Response:
    operation = g.get("operation")
    if operation is None or response.status_code != 200:
        return response
    if (request.method, operation.path) not in CREATES:
        return response
    sandbox = state.current()
    with sandbox.lock:
        rate = sandbox.knobs.empty_created_rate
        # Drawn only when the knob is on, so seeded runs of the other knobs stay as they were.
        empty = rate > 0 and sandbox.rng.random() < rate
    if not empty:
        return response
    return Response(b"", status=201)
