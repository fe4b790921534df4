"""The embedded session: Rackbeat's signed launch token (contract A), or the secret settings
URL of a contract-B connection, becomes our own short-lived token.

Third-party cookies are not reliable inside an iframe, so the session travels in links and
forms as the ``s`` parameter. It is signed with the app's secret key and names the connection;
nothing in a URL can point it at another account. Forms also carry a CSRF token bound to the
session's id.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from rackdinero_app.extensions import rq

SESSION_SALT = "rackdinero.embedded.session"
CSRF_SALT = "rackdinero.embedded.csrf"
LAUNCH_LEEWAY_SECONDS = 5
# Contract B's settings URL names no user: the audit trail shows this instead.
SETTINGS_LINK_USER = "rackbeat-settings-url"


class LaunchRefused(Exception):
    """The launch token is not valid; the message tells the user what to do."""


class SessionInvalid(Exception):
    """The embedded session token is missing, forged or expired."""


@dataclass(frozen=True)
class EmbeddedSession:
    connection_id: int
    account_id: int
    user: dict[str, Any]
    locale: str
    sid: str

    def dump(self) -> dict[str, Any]:
        return {
            "c": self.connection_id,
            "a": self.account_id,
            "u": self.user,
            "l": self.locale,
            "sid": self.sid,
        }


def verify_launch(token: str) -> dict[str, Any]:
    """Check signature, issuer, audience, expiry and single use; return the claims."""
    config = current_app.config
    try:
        decoded = jwt.decode(
            token, OctKey.import_key(config["RACKBEAT_CLIENT_SECRET"]), algorithms=["HS256"]
        )
        claims = decoded.claims
        jwt.JWTClaimsRegistry(
            leeway=LAUNCH_LEEWAY_SECONDS,
            iss={"essential": True, "value": config["RACKBEAT_BASE_URL"].rstrip("/")},
            aud={"essential": True, "value": config["RACKBEAT_CLIENT_ID"]},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError) as error:
        current_app.logger.info("Launch token refused: %s", type(error).__name__)
        raise LaunchRefused(
            _(
                "This page link has expired or is not valid. Open the app again from "
                "Rackbeat > Settings > Apps > Dinero."
            )
        ) from None
    ttl = max(int(claims["exp"] - time.time()) + LAUNCH_LEEWAY_SECONDS, 1)
    if not rq.redis.set(f"rackdinero:launch-jti:{claims['jti']}", 1, nx=True, ex=ttl):
        raise LaunchRefused(
            _(
                "This page link was already used. Open the app again from "
                "Rackbeat > Settings > Apps > Dinero."
            )
        )
    return claims


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def issue(connection_id: int, claims: dict[str, Any]) -> str:
    user = claims.get("user") or {}
    session = EmbeddedSession(
        connection_id=connection_id,
        account_id=int(claims["sub"]),
        user={k: user.get(k) for k in ("id", "name", "email")},
        locale=str(user.get("locale") or "en"),
        sid=secrets.token_urlsafe(12),
    )
    return _serializer(SESSION_SALT).dumps(session.dump())


def issue_for_settings_link(connection: Any, locale: str) -> str:
    """The same session as a launch gives, for a contract-B connection whose settings URL was
    opened (its secret already checked). Rackbeat names no user there, so the browser's
    language is used."""
    session = EmbeddedSession(
        connection_id=connection.id,
        account_id=int(connection.rackbeat_account_id),
        user={"id": SETTINGS_LINK_USER, "name": None, "email": None},
        locale=locale,
        sid=secrets.token_urlsafe(12),
    )
    return _serializer(SESSION_SALT).dumps(session.dump())


def load(token: str | None) -> EmbeddedSession:
    if not token:
        raise SessionInvalid()
    try:
        data = _serializer(SESSION_SALT).loads(
            token, max_age=current_app.config["EMBEDDED_SESSION_SECONDS"]
        )
    except BadSignature:
        raise SessionInvalid() from None
    return EmbeddedSession(
        connection_id=data["c"],
        account_id=data["a"],
        user=data["u"],
        locale=data["l"],
        sid=data["sid"],
    )


def csrf_token(session: EmbeddedSession) -> str:
    return _serializer(CSRF_SALT).dumps(session.sid)


def csrf_valid(session: EmbeddedSession, token: str | None) -> bool:
    if not token:
        return False
    try:
        sid = _serializer(CSRF_SALT).loads(
            token, max_age=current_app.config["EMBEDDED_SESSION_SECONDS"]
        )
    except BadSignature:
        return False
    return secrets.compare_digest(str(sid), session.sid)
