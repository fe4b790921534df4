"""The two things Rackbeat signs for the app: the install redirect (HMAC) and the launch (JWT)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import OctKey

LAUNCH_TOKEN_LIFETIME_SECONDS = 60


def install_signature(params: dict[str, str], client_secret: str) -> str:
    """HMAC-SHA256 (hex) over the sorted query string without ``hmac``, keyed with the secret."""
    message = urlencode(sorted((key, value) for key, value in params.items() if key != "hmac"))
    return hmac.new(client_secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def install_query(account_id: int, timestamp: int, client_secret: str) -> dict[str, str]:
    """The query string Install adds to the app's install URL."""
    params = {"account_id": str(account_id), "timestamp": str(timestamp)}
    return {**params, "hmac": install_signature(params, client_secret)}


def launch_token(
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    account_id: int,
    user: dict[str, Any],
    issued_at: int,
) -> str:
    """The HS256 JWT Rackbeat appends as ``?launch=`` when it opens the app's settings page."""
    claims = {
        "iss": issuer,
        "aud": client_id,
        "sub": str(account_id),
        "user": user,
        "iat": issued_at,
        "exp": issued_at + LAUNCH_TOKEN_LIFETIME_SECONDS,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, OctKey.import_key(client_secret))
