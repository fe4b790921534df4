"""Helpers for the support login tests: staff accounts, CSRF tokens, each login step."""

from __future__ import annotations

import re
import time

import flask
import pyotp
import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import StaffUser
from rackdinero_app.models.enums import StaffRole
from rackdinero_app.support import accounts

STRONG_PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def make_staff(app):
    """Create an account as the CLI does; optionally already past the first sign-in."""

    def build(email: str, role: str = "viewer", *, ready: bool = False, totp: str | None = None):
        staff, password = accounts.add_staff(email, StaffRole(role), None, "test")
        if ready:
            staff.password_hash = accounts._hasher.hash(STRONG_PASSWORD)
            staff.must_change_password = False
            password = STRONG_PASSWORD
        staff.totp_secret = totp
        db.session.commit()
        return staff, password

    return build


def fresh_request() -> None:
    """Forget what Flask-WTF cached in ``g``: pytest-flask keeps one app context for the whole
    test, while each real request has its own (a new session gets a new CSRF token)."""
    flask.g.pop("csrf_token", None)
    flask.g.pop("staff", None)


def csrf_token(client, path: str) -> str:
    fresh_request()
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return _CSRF.search(response.get_data(as_text=True)).group(1)


def post_login(client, email: str, password: str, **kwargs):
    token = csrf_token(client, "/support/login")
    return client.post(
        "/support/login",
        data={"csrf_token": token, "email": email, "password": password},
        **kwargs,
    )


def post_code(client, path: str, code: str):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "code": code})


def post_password(client, password: str, confirm: str | None = None):
    token = csrf_token(client, "/support/password")
    return client.post(
        "/support/password",
        data={"csrf_token": token, "password": password, "confirm": confirm or password},
    )


def code_for(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code(secret: str) -> str:
    """A code that is not valid now nor one step either side (so a test never flakes)."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + offset * totp.interval) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def actions() -> list[tuple[str, str]]:
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    return [(entry.action, entry.actor) for entry in entries]


def audit_entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def reload(staff: StaffUser) -> StaffUser:
    db.session.expire_all()
    return db.session.get(StaffUser, staff.id)
