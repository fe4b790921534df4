"""The catalogue's signed install request: HMAC-SHA256 over the sorted query string."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l

MAX_AGE_SECONDS = 300


class InvalidInstallRequest(ValueError):
    """The install link was not made by Rackbeat, or is too old to use."""

    status = 403


class MalformedInstallRequest(InvalidInstallRequest):
    """The install link lacks a part, or a part is not what Rackbeat sends (an ``hmac`` that
    is not a hex digest); a 400, not a server error."""

    status = 400


HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def signature(params: Mapping[str, str], secret: str) -> str:
    message = urlencode(sorted((k, v) for k, v in params.items() if k != "hmac"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify(params: Mapping[str, str], secret: str, now: float | None = None) -> int:
    """Check signature and age; return the Rackbeat account id the request is for."""
    given = params.get("hmac", "")
    if not HEX_DIGEST.fullmatch(given):
        raise MalformedInstallRequest(_l("The install link is incomplete."))
    if not hmac.compare_digest(signature(params, secret), given.lower()):
        raise InvalidInstallRequest(_l("The install link is not signed by Rackbeat."))
    try:
        timestamp = int(params.get("timestamp", ""))
        account_id = int(params.get("account_id", ""))
    except ValueError:
        raise MalformedInstallRequest(_l("The install link is incomplete.")) from None
    age = (time.time() if now is None else now) - timestamp
    if age > MAX_AGE_SECONDS or age < -60:
        raise InvalidInstallRequest(
            _l(
                "The install link has expired. Start the installation again from Rackbeat's "
                "Apps page."
            )
        )
    return account_id
