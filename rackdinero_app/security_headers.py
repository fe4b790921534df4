"""Headers every response carries, whichever blueprint (or none: a 404) answered it.

Only Rackbeat may frame the embedded pages (``frame-ancestors`` its origin, never
``X-Frame-Options: DENY``, which would break the iframe); no other page may be framed at all.
A blueprint's own policy stands; one without ``frame-ancestors`` gets it added. Production is
served over https only, so browsers are told never to try plain http (HSTS).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from flask import Response
from flask import current_app
from flask import request

HSTS = "max-age=31536000; includeSubDomains"
# The embedded blueprint's prefix: every page Rackbeat frames lives under it.
FRAMED_BY_RACKBEAT = "/embedded"


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Embedded URLs carry a session token: no page tells another site where it came from.
    headers.setdefault("Referrer-Policy", "no-referrer")
    policy = headers.get("Content-Security-Policy")
    if not policy:
        headers["Content-Security-Policy"] = f"frame-ancestors {allowed_framers()}"
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = f"{policy}; frame-ancestors {allowed_framers()}"
    if current_app.config["ENV"] == "production":
        headers["Strict-Transport-Security"] = HSTS
    return response


def allowed_framers() -> str:
    """Rackbeat's origin for the embedded pages, nobody for any other page."""
    path = request.path
    if path == FRAMED_BY_RACKBEAT or path.startswith(FRAMED_BY_RACKBEAT + "/"):
        base = urlsplit(current_app.config["RACKBEAT_BASE_URL"])
        return f"{base.scheme}://{base.netloc}"
    return "'none'"
