"""Attempts to set the Dinero credentials: activation (I2), or changing them later (I3).

The page starts an attempt and polls it. The attempt's progress lives in Redis for an hour; the
API key travels to the job encrypted. Once Dinero has confirmed the key, the company and its Pro
plan, the attempt keeps the (still encrypted) key and the company's name, and the page asks the
user to confirm which Rackbeat company is connected to which Dinero company; only ``confirm``
writes to the connection, and ``cancel`` forgets the key. Until then a change leaves the
connection as it was, so it keeps working with the credentials it had.

``activate`` and ``change_credentials`` also finish a Visma Connect sign-in
(``dinero_sign_in``): given its ``Tokens`` instead of an API key they store the
refresh token, and either way the other method's secret is dropped.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from dataclasses import dataclass

import sqlalchemy as sa

from rackdinero_app import jobs
from rackdinero_app.audit import record
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import NotDineroPro
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.connections import DineroCredentials
from rackdinero_app.connections import dinero_client
from rackdinero_app.connections import set_dinero_sign_in
from rackdinero_app.connections import share_dinero_sign_in
from rackdinero_app.dinero_sign_in.messages import message
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models import Settings
from rackdinero_app.models.base import utcnow
from rackdinero_app.models.enums import ActorType
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.setup.sources import forget_dinero_accounts

ATTEMPT_TTL_SECONDS = 3600
ACTIVATION = "activation"
CHANGE = "change"


@dataclass
class Attempt:
    id: str
    connection_id: int
    organization_id: int
    # pending → running → verified → succeeded | cancelled; or failed
    state: str = "pending"
    code: str | None = None
    kind: str = ACTIVATION  # or CHANGE: replace an active connection's credentials
    organization_name: str | None = None  # as Dinero names the verified company
    sealed_key: str | None = None  # the encrypted key, kept only while awaiting confirmation

    @property
    def message(self) -> str | None:
        if self.code is None:
            return None
        return message(self.code, self.organization_id)

    @property
    def finished(self) -> bool:
        """Whether the page stops polling (a verified attempt waits for the user, not Dinero)."""
        return self.state in ("verified", "succeeded", "cancelled", "failed")


def _key(attempt_id: str) -> str:
    return f"rackdinero:activation:{attempt_id}"


def _save(attempt: Attempt) -> None:
    rq.redis.set(_key(attempt.id), json.dumps(asdict(attempt)), ex=ATTEMPT_TTL_SECONDS)


def get_attempt(attempt_id: str, connection_id: int, kind: str = ACTIVATION) -> Attempt | None:
    """The attempt, if it exists, belongs to this connection and is of this kind."""
    raw = rq.redis.get(_key(attempt_id))
    if raw is None:
        return None
    attempt = Attempt(**json.loads(raw))
    return attempt if (attempt.connection_id, attempt.kind) == (connection_id, kind) else None


def start_attempt(
    connection: Connection, organization_id: int, api_key: str, actor: str, kind: str = ACTIVATION
) -> Attempt:
    attempt = Attempt(
        id=uuid.uuid4().hex,
        connection_id=connection.id,
        organization_id=organization_id,
        kind=kind,
    )
    _save(attempt)
    enqueue = jobs.enqueue_connection_change if kind == CHANGE else jobs.enqueue_activation
    enqueue(attempt.id, crypto.encrypt(api_key), actor)
    return attempt


def verify(organization_id: int, api_key: str) -> tuple[str | None, str | None]:
    """Ask Dinero about the key and the company; return (failure code, organization name)."""
    client = dinero_client(organization_id, api_key)
    try:
        organizations = client.organizations(fields="id,name,isPro")
    except AuthFailed:
        return "wrong_api_key", None
    except NotDineroPro:
        return "not_pro", None
    except NotFound:
        return "wrong_company_id", None
    except ClientError:
        return "unreachable", None
    for organization in organizations:
        if int(organization["Id"]) == organization_id:
            if not organization["IsPro"]:
                return "not_pro", None
            return None, organization.get("Name")
    return "wrong_company_id", None


def run_attempt(attempt_id: str, encrypted_api_key: str) -> None:
    """Verify the attempt's key and company with Dinero; on success keep them for the user's
    confirmation. Nothing is written to the connection here."""
    raw = rq.redis.get(_key(attempt_id))
    if raw is None:
        return
    attempt = Attempt(**json.loads(raw))
    attempt.state = "running"
    _save(attempt)
    code, organization_name = verify(attempt.organization_id, crypto.decrypt(encrypted_api_key))
    connection = db.session.get(Connection, attempt.connection_id)
    if code is None and (connection is None or connection.state == ConnectionState.UNINSTALLED):
        code = "not_installed"
    if code is None:
        attempt.organization_name = organization_name
        attempt.sealed_key = encrypted_api_key
    attempt.state = "failed" if code else "verified"
    attempt.code = code
    _save(attempt)


def _claim(attempt_id: str) -> bool:
    """Whether this request decides a verified attempt (a double click confirms once, and a
    confirm and a cancel cannot both win)."""
    return bool(rq.redis.set(f"{_key(attempt_id)}:decided", 1, nx=True, ex=ATTEMPT_TTL_SECONDS))


def confirm_attempt(attempt_id: str, connection: Connection, kind: str, actor: str) -> bool:
    """The user confirmed: write the verified credentials to the connection (activate, or
    change them). False when the attempt is not (or no longer) waiting for that."""
    attempt = get_attempt(attempt_id, connection.id, kind)
    if attempt is None or attempt.state != "verified" or not _claim(attempt_id):
        return False
    apply = change_credentials if kind == CHANGE else activate
    api_key = crypto.decrypt(attempt.sealed_key or "")
    apply(connection, attempt.organization_id, attempt.organization_name, api_key, actor)
    attempt.state, attempt.sealed_key = "succeeded", None
    _save(attempt)
    return True


def cancel_attempt(attempt_id: str, connection_id: int, kind: str) -> bool:
    """The user did not confirm: forget the key; nothing was saved."""
    attempt = get_attempt(attempt_id, connection_id, kind)
    if attempt is None or attempt.state != "verified" or not _claim(attempt_id):
        return False
    attempt.state, attempt.sealed_key = "cancelled", None
    _save(attempt)
    return True


def activate(
    connection: Connection,
    organization_id: int,
    organization_name: str | None,
    credentials: DineroCredentials,
    actor: str,
) -> None:
    changed_organization = connection.dinero_organization_id not in (None, organization_id)
    set_dinero_sign_in(connection, organization_id, organization_name, credentials)
    if connection.state != ConnectionState.PAUSED:  # a new key does not end support's pause
        connection.state = ConnectionState.ACTIVE
    connection.activated_at = utcnow()
    existing = db.session.scalar(sa.select(Settings).where(Settings.connection_id == connection.id))
    if existing is None:
        db.session.add(Settings(connection_id=connection.id))
    record(
        connection,
        ActorType.RACKBEAT_USER,
        actor,
        "activated",
        details={
            "dinero_organization_id": organization_id,
            "changed_organization": changed_organization,
            "dinero_sign_in": connection.dinero_sign_in,
        },
    )
    db.session.commit()
    share_dinero_sign_in(connection.id, credentials)


def change_credentials(
    connection: Connection,
    organization_id: int,
    organization_name: str | None,
    credentials: DineroCredentials,
    actor: str,
) -> None:
    """Replace an active connection's Dinero sign-in and company (I3); it stays active."""
    previous_organization_id = connection.dinero_organization_id
    previous_sign_in = connection.dinero_sign_in
    set_dinero_sign_in(connection, organization_id, organization_name, credentials)
    record(
        connection,
        ActorType.RACKBEAT_USER,
        actor,
        "dinero_connection_changed",
        details={
            "previous_dinero_organization_id": previous_organization_id,
            "dinero_organization_id": organization_id,
            "changed_organization": previous_organization_id != organization_id,
            "previous_dinero_sign_in": previous_sign_in,
            "dinero_sign_in": connection.dinero_sign_in,
        },
    )
    db.session.commit()
    share_dinero_sign_in(connection.id, credentials)
    # The settings pages must not offer the previous company's chart of accounts.
    forget_dinero_accounts(connection.id)
