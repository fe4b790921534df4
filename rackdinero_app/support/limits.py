"""Limits on guessing: wrong passwords and wrong one-time codes, per account and per address.

Flask-Limiter counts in the app's Redis (a moving 15-minute window by default); only failed
attempts count (a view marks them with ``failed_attempt()``), so signing in normally never
locks anyone out. Once an account or an address has used its attempts, the next one answers
429 before the password is even checked, whether the account exists or not.
"""

from __future__ import annotations

from flask import current_app
from flask import request
from flask_limiter.util import get_remote_address

from rackdinero_app.limits import limiter
from rackdinero_app.support import accounts
from rackdinero_app.support import session as staff_session

FAILED = "rackdinero.support.failed_attempt"  # on the request itself, never carried over


def failed_attempt() -> None:
    """Count this request against the limits (a wrong password or code)."""
    request.environ[FAILED] = True


def _counts(response) -> bool:
    return bool(request.environ.get(FAILED))


def _address() -> str:
    return f"address:{get_remote_address()}"


def _account() -> str:
    return f"account:{accounts.normalise_email(request.form.get('email', ''))}"


def _code_account() -> str:
    return f"staff:{staff_session.session.get(staff_session.STAFF_ID)}"


def _login_limit() -> str:
    return current_app.config["SUPPORT_LOGIN_LIMIT"]


def _code_limit() -> str:
    return current_app.config["SUPPORT_CODE_LIMIT"]


def _limited(view, limit, key_funcs, scope: str):
    """Count the view's failed POSTs against ``limit`` under each key (the account and the
    address), so either running out answers 429."""
    for key_func in key_funcs:
        view = limiter.limit(
            limit, key_func=key_func, methods=["POST"], deduct_when=_counts, scope=scope
        )(view)
    return view


def login_limits(view):
    """Wrong passwords: per submitted e-mail and per client address."""
    return _limited(view, _login_limit, (_account, _address), "support-login")


def code_limits(view):
    """Wrong one-time codes: per staff member and per client address."""
    return _limited(view, _code_limit, (_code_account, _address), "support-code")
