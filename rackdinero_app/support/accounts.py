"""Staff accounts: creating and disabling them, checking passwords and one-time codes.

Passwords are argon2 hashes (argon2-cffi's defaults); a new account gets a one-time password
that must be replaced at the first sign-in. Operators also prove a TOTP code (pyotp); a code's
time step is remembered so the same code is never accepted twice.
"""

from __future__ import annotations

import secrets
import time

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

from rackdinero_app import audit
from rackdinero_app.extensions import db
from rackdinero_app.models import StaffUser
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import StaffRole

MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "rackdinero support"
_hasher = PasswordHasher()
# Checked when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(Exception):
    """The request cannot be done (e.g. the e-mail is taken); the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find(email: str) -> StaffUser | None:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == normalise_email(email)))


def add_staff(email: str, role: StaffRole, name: str | None, actor: str) -> tuple[StaffUser, str]:
    """Create an account with a one-time password; returns it (to be shown once, never kept)."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"{email!r} is not an e-mail address.")
    if find(email) is not None:
        raise AccountError(f"A staff account for {email} already exists.")
    password = secrets.token_urlsafe(18)
    staff = StaffUser(
        email=email,
        name=name or email,
        role=role,
        password_hash=_hasher.hash(password),
        must_change_password=True,
    )
    db.session.add(staff)
    record(staff, "staff.added", actor=actor, role=str(role))
    db.session.commit()
    return staff, password


def disable_staff(email: str, actor: str) -> StaffUser:
    """Disable an account: it cannot sign in, and its open sessions end on their next request."""
    staff = find(email)
    if staff is None:
        raise AccountError(f"There is no staff account for {normalise_email(email)}.")
    if staff.disabled_at is None:
        staff.disabled_at = utcnow()
        record(staff, "staff.disabled", actor=actor)
        db.session.commit()
    return staff


def check_password(staff: StaffUser | None, password: str) -> bool:
    """True only for an active account and its password (a disabled one never matches)."""
    try:
        _hasher.verify(staff.password_hash if staff else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return staff is not None and staff.disabled_at is None


def password_problem(staff: StaffUser, new_password: str) -> str | None:
    """Why a new password is refused, or None: long enough, and not the current one."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        return f"The new password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if check_password(staff, new_password):
        return "The new password must differ from the one-time password."
    return None


def set_password(staff: StaffUser, new_password: str) -> None:
    staff.password_hash = _hasher.hash(new_password)
    staff.must_change_password = False
    record(staff, "staff.password_changed")


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(staff: StaffUser, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (shown as text, no QR service)."""
    return pyotp.TOTP(secret).provisioning_uri(name=staff.email, issuer_name=TOTP_ISSUER)


def code_counter(secret: str, code: str, last_counter: int | None) -> int | None:
    """The time step a code belongs to (now, or one step either side), or None if it is
    wrong or was already used (its step is not newer than the last accepted one)."""
    code = code.strip().replace(" ", "")
    totp = pyotp.TOTP(secret)
    now = time.time()
    for offset in (0, -1, 1):
        at = int(now) + offset * totp.interval
        counter = at // totp.interval
        if secrets.compare_digest(totp.at(at), code) and (
            last_counter is None or counter > last_counter
        ):
            return counter
    return None


def accept_code(staff: StaffUser, secret: str, code: str) -> bool:
    """Check a code against the secret and remember its step, so it cannot be used again."""
    counter = code_counter(secret, code, staff.totp_last_counter)
    if counter is None:
        return False
    staff.totp_last_counter = counter
    return True


def record(staff: StaffUser | None, action: str, *, actor: str | None = None, **details):
    """An audit entry for a staff account event (never with a password or a secret)."""
    return audit.record(
        None,
        ActorType.STAFF,
        (actor or (staff.email if staff else "unknown"))[:255],
        action,
        details={"staff": staff.email if staff else None, **details},
    )


# `make demo` only (RACKDINERO_ENV=demo): a fixed operator, so the demo prints how to sign in.
DEMO_EMAIL = "support@rackdinero.example"
DEMO_PASSWORD = "demo-support-password"
DEMO_TOTP_SECRET = "DEMOSUPPORTRACKDINEROTOTPSECRETX"


def ensure_demo_staff() -> StaffUser:
    """Create (or reset) the demo operator with the fixed password and TOTP secret."""
    staff = find(DEMO_EMAIL)
    if staff is None:
        staff = StaffUser(email=DEMO_EMAIL, name="Demo operator")
        db.session.add(staff)
        record(staff, "staff.added", actor="demo", role=str(StaffRole.OPERATOR))
    staff.role = StaffRole.OPERATOR
    staff.password_hash = _hasher.hash(DEMO_PASSWORD)
    staff.must_change_password = False
    staff.totp_secret = DEMO_TOTP_SECRET
    staff.disabled_at = None
    db.session.commit()
    return staff


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()
