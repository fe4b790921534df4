"""The staff session: Flask's signed session cookie, but a cookie of its own for /support.

The install handshake needs the app's ordinary cookie to be SameSite=Lax (it comes back from
Rackbeat on a cross-site redirect); a staff session wants SameSite=Strict, path /support, and
a different signing salt, so neither cookie can stand in for the other. Embedded pages carry
their own ``s=`` token and never read either cookie; nothing here reads ``s=``.

A staff session passes through steps: ``code`` (an operator proves a TOTP code), ``enrol``
(an operator without a secret sets one up), ``password`` (the one-time password is replaced),
then ``in``. Every request checks the idle time first.
"""

from __future__ import annotations

import time

from flask import Flask
from flask import current_app
from flask import request
from flask import session
from flask.sessions import SecureCookieSessionInterface

PREFIX = "/support"
COOKIE_NAME = "rackdinero_support"
SALT = "rackdinero.support.session"
STAFF_ID = "staff_id"
STEP = "staff_step"
SEEN = "staff_seen"
ENROL_SECRET = "staff_enrol_secret"
SIGNED_IN = "in"


def is_support_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


class _StaffCookieSigning(SecureCookieSessionInterface):
    """The same signing as Flask's session, under a salt of its own."""

    salt = SALT


class SupportSessionInterface(SecureCookieSessionInterface):
    """The app's cookie everywhere, except under /support where the staff cookie is used."""

    def __init__(self) -> None:
        self._staff_cookie = _StaffCookieSigning()

    def get_signing_serializer(self, app: Flask):
        if is_support_request():
            return self._staff_cookie.get_signing_serializer(app)
        return super().get_signing_serializer(app)

    def get_cookie_name(self, app: Flask) -> str:
        return COOKIE_NAME if is_support_request() else super().get_cookie_name(app)

    def get_cookie_path(self, app: Flask) -> str:
        return PREFIX if is_support_request() else super().get_cookie_path(app)

    def get_cookie_domain(self, app: Flask) -> str | None:
        return None if is_support_request() else super().get_cookie_domain(app)

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "Strict" if is_support_request() else super().get_cookie_samesite(app)

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True if is_support_request() else super().get_cookie_httponly(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        if not is_support_request():
            return super().get_cookie_secure(app)
        return cookie_secure(app)


def cookie_secure(app: Flask) -> bool:
    """Secure as configured; unset means Secure in production (the demo runs on plain HTTP)."""
    configured = app.config.get("SUPPORT_SESSION_COOKIE_SECURE")
    if configured is None or configured == "":
        return app.config["ENV"] == "production"
    return bool(configured)


def begin(staff_id: int, step: str) -> None:
    """A fresh session (a new cookie value, so a session id cannot be fixed beforehand)."""
    session.clear()
    session[STAFF_ID] = staff_id
    session[STEP] = step
    touch()


def advance(step: str) -> None:
    session[STEP] = step
    session.pop(ENROL_SECRET, None)


def end() -> None:
    session.clear()


def touch() -> None:
    session[SEEN] = int(time.time())


def expire_if_idle() -> bool:
    """End a session idle for longer than SUPPORT_SESSION_IDLE_MINUTES; True if it ended."""
    if STAFF_ID not in session:
        return False
    idle_seconds = int(current_app.config["SUPPORT_SESSION_IDLE_MINUTES"]) * 60
    if time.time() - session.get(SEEN, 0) > idle_seconds:
        end()
        return True
    touch()
    return False


def staff_id(step: str = SIGNED_IN) -> int | None:
    """The staff member of this session if it is at ``step`` (by default: fully signed in)."""
    if session.get(STEP) != step:
        return None
    return session.get(STAFF_ID)


def current_step() -> str | None:
    return session.get(STEP)


def init_app(app: Flask) -> None:
    app.session_interface = SupportSessionInterface()
