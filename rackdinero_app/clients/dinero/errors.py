"""Dinero's error answers turned into the typed errors of ``clients/errors.py``.

Dinero answers JSON ``{code, message, validationErrors, languageSpecificMessages}`` for most
errors, but a bare HTML page for an unknown path; the ``code`` decides where the status alone
does not (40/63/65 not found, 58 stale timestamp, 48/90 no Pro subscription).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

import requests

from rackdinero_app.clients import http
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import NotDineroPro
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import StaleTimestamp
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.clients.errors import redact

SERVICE = "Dinero"
NOT_FOUND_CODES = {40, 63, 65}
STALE_TIMESTAMP_CODE = 58
NO_PRO_CODES = {48, 90}
_PRO_WORDS = re.compile(r"\bpro\b", re.IGNORECASE)


def error_for(response: requests.Response, secrets: Iterable[str | None]) -> ClientError:
    """The typed error for a Dinero answer that is not 2xx; ``secrets`` never reach its text."""
    secrets = tuple(secrets)
    status = response.status_code
    body: Any = None
    if "json" in response.headers.get("Content-Type", ""):
        try:
            body = response.json()
        except ValueError:
            body = None
    body = body if isinstance(body, dict) else {}
    code = body.get("code") if isinstance(body.get("code"), int) else None
    text = redact(str(body.get("message") or body.get("error") or ""), secrets)
    service = {"service": SERVICE}
    if status == 404 or code in NOT_FOUND_CODES:
        return NotFound(message_code="not_found_in", params=service, status=status, code=code)
    if status == 400 and code == STALE_TIMESTAMP_CODE:
        return StaleTimestamp(status=status, code=code)
    if status in (400, 413, 422):
        return ValidationFailed.from_fields(
            SERVICE, _field_messages(body), secrets, text=text, status=status, code=code
        )
    if status == 401:
        return AuthFailed(message_code="dinero_key_refused", status=status, code=code)
    if status == 403:
        if code in NO_PRO_CODES or _PRO_WORDS.search(text):
            return NotDineroPro(status=status, code=code)
        return AuthFailed(message_code="dinero_organization_refused", status=status, code=code)
    if status == 429:
        return RateLimited(
            message_code="dinero_rate_limited",
            retry_after=http.retry_after_seconds(response.headers.get("Retry-After")),
            code=code,
        )
    if status == 480 or status >= 500:
        return Transient(
            message_code="server_error",
            params={**service, "status": status},
            status=status,
            code=code,
        )
    return ClientError(
        message_code="http_status_text" if text else "http_status",
        params={**service, "status": status, "text": text},
        status=status,
        code=code,
    )


def _field_messages(body: Mapping[str, Any]) -> dict[str, Any]:
    # validationErrors first; languageSpecificMessages only fill in fields it does not name.
    fields: dict[str, Any] = {}
    raw = body.get("validationErrors")
    if isinstance(raw, dict):
        fields.update({str(key): value for key, value in raw.items()})
    for item in body.get("languageSpecificMessages") or []:
        if isinstance(item, dict) and item.get("property") and item.get("message"):
            fields.setdefault(str(item["property"]), str(item["message"]))
    return fields
