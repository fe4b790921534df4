"""The embedded session: Rackbeat's signed launch token (contract A), or the secret settings
URL of a contract-B connection, becomes our own short-lived server-side session.

Third-party cookies are not reliable inside an iframe, so the session travels in links and
forms as the ``s`` parameter: an opaque random id. What it stands for (connection, account,
user, language) lives in Redis under the id's SHA-256, so neither a URL, a log line nor a
Redis dump names the user or holds a usable token.

``s`` alone is not enough: a launch also sets the ``rd_embed`` cookie on the launching browser
(partitioned, so it works inside Rackbeat's iframe), and the session keeps the hash of its
secret. A link forwarded to someone else therefore opens nothing. A session also remembers the
connection's install generation: after an uninstall and a reinstall it is refused, and an
uninstall deletes the connection's sessions at once. Forms carry a CSRF token bound to the
session's own random id (``sid``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from redis.exceptions import RedisError

from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState

CSRF_SALT = "rackdinero.embedded.csrf"
LAUNCH_LEEWAY_SECONDS = 5
# Contract B's settings URL names no user: the audit trail shows this instead.
SETTINGS_LINK_USER = "rackbeat-settings-url"
BROWSER_COOKIE = "rd_embed"
BROWSER_SECRET = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
log = logging.getLogger(__name__)


class LaunchRefused(Exception):
    """The launch token is not valid; the message tells the user what to do."""


class SessionInvalid(Exception):
    """The embedded session token is missing, unknown or expired."""


class OtherBrowser(SessionInvalid):
    """The session exists, but this browser is not the one that launched it."""


@dataclass(frozen=True)
class EmbeddedSession:
    connection_id: int
    account_id: int
    user: dict[str, Any]
    locale: str
    sid: str
    generation: str = ""


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


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _key(token: str) -> str:
    return f"rackdinero:embedded-session:{_digest(token)}"


def _connection_key(connection_id: int) -> str:
    return f"rackdinero:embedded-sessions:{connection_id}"


def _seconds() -> int:
    return int(current_app.config["EMBEDDED_SESSION_SECONDS"])


def generation(connection: Connection) -> str:
    """Which install of the connection this is: every install sets ``installed_at`` anew."""
    return connection.installed_at.isoformat() if connection.installed_at else ""


def browser_secret(cookies: dict[str, str]) -> str:
    """The launching browser's secret: the one its ``rd_embed`` cookie already holds (so two
    Rackbeat tabs in one browser keep working side by side), else a new one."""
    current = cookies.get(BROWSER_COOKIE, "")
    return current if BROWSER_SECRET.match(current) else secrets.token_urlsafe(32)


def set_browser_cookie(response, secret: str):
    """``rd_embed`` on the response. In production it must cross into Rackbeat's iframe: Secure,
    SameSite=None and Partitioned (CHIPS, allowed where third-party cookies are blocked). The
    demo and the tests run on plain http on one host, where SameSite=Lax does."""
    production = current_app.config["ENV"] == "production"
    response.set_cookie(
        BROWSER_COOKIE,
        secret,
        max_age=max(_seconds(), 1),
        path="/embedded",
        httponly=True,
        secure=production,
        samesite="None" if production else "Lax",
        partitioned=production,
    )
    return response


def _store(connection: Connection, account_id: int, user: dict, locale: str, secret: str) -> str:
    token = secrets.token_urlsafe(24)
    record = {
        "c": connection.id,
        "a": account_id,
        "u": user,
        "l": locale,
        "sid": secrets.token_urlsafe(12),
        "g": generation(connection),
        "b": _digest(secret),
        "iat": time.time(),
    }
    ttl = max(_seconds(), 1)
    rq.redis.set(_key(token), json.dumps(record), ex=ttl)
    sessions = _connection_key(connection.id)
    rq.redis.sadd(sessions, _key(token))
    rq.redis.expire(sessions, ttl)
    return token


def issue(connection: Connection, claims: dict[str, Any], secret: str) -> str:
    """A session for a verified launch, bound to the browser holding ``secret``."""
    user = claims.get("user") or {}
    return _store(
        connection,
        int(claims["sub"]),
        {k: user.get(k) for k in ("id", "name", "email")},
        str(user.get("locale") or "en"),
        secret,
    )


def issue_for_settings_link(connection: Connection, locale: str, secret: str) -> str:
    """The same session as a launch gives, for a contract-B connection whose settings URL was
    opened (its secret already checked). Rackbeat names no user there, so the browser's
    language is used."""
    user = {"id": SETTINGS_LINK_USER, "name": None, "email": None}
    return _store(connection, int(connection.rackbeat_account_id), user, locale, secret)


def load(token: str | None, secret: str | None) -> EmbeddedSession:
    """The session ``token`` names, if it is alive and ``secret`` is its browser's."""
    raw = rq.redis.get(_key(token)) if token and len(token) <= 64 else None
    if raw is None:
        raise SessionInvalid()
    data = json.loads(raw)
    if time.time() - data["iat"] > _seconds():
        raise SessionInvalid()
    if not secret or not secrets.compare_digest(_digest(secret), data["b"]):
        raise OtherBrowser()
    return EmbeddedSession(
        connection_id=data["c"],
        account_id=data["a"],
        user=data["u"],
        locale=data["l"],
        sid=data["sid"],
        generation=data["g"],
    )


def forget_sessions(connection_id: int) -> None:
    """End every embedded session of the connection (its uninstall)."""
    sessions = _connection_key(connection_id)
    keys = rq.redis.smembers(sessions)
    if keys:
        rq.redis.delete(*keys)
    rq.redis.delete(sessions)


@sa.event.listens_for(Connection.state, "set")
def _uninstalled(connection: Connection, value, oldvalue, initiator) -> None:
    """Uninstalling ends the connection's sessions. The uninstall lives in a lower layer that
    cannot import the embedded pages, so it is observed here; should Redis be down, the
    state and install-generation checks still refuse those sessions."""
    if value != ConnectionState.UNINSTALLED or oldvalue == value or connection.id is None:
        return
    try:
        forget_sessions(connection.id)
    except (RedisError, RuntimeError) as error:
        log.warning("Embedded sessions not deleted: %s", type(error).__name__)


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def csrf_token(session: EmbeddedSession) -> str:
    return _serializer(CSRF_SALT).dumps(session.sid)


def csrf_valid(session: EmbeddedSession, token: str | None) -> bool:
    if not token:
        return False
    try:
        sid = _serializer(CSRF_SALT).loads(token, max_age=_seconds())
    except BadSignature:
        return False
    return secrets.compare_digest(str(sid), session.sid)
