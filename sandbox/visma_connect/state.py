"""Visma Connect's state: the registered client, demo users, grants, codes and tokens, knobs.

One ``VismaConnect`` per app, in ``app.extensions["visma_connect"]``; every read or write
happens under its lock. It lives beside the Dinero sandbox's state (the Dinero API accepts its
access tokens) but is a service of its own, as connect.visma.com is: resetting Dinero's data
leaves sign-ins alone.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import current_app

EXTENSION = "visma_connect"
# Dinero's scopes ([OLD], [FAQ]); offline_access asks for a refresh token. openid, profile and
# email are Visma Connect's identity scopes, allowed beside them.
KNOWN_SCOPES = {
    "dineropublicapi:read",
    "dineropublicapi:write",
    "offline_access",
    "openid",
    "profile",
    "email",
}


@dataclass
class DemoUser:
    email: str
    name: str
    password: str
    organization_ids: tuple[int, ...]


# Mette reaches the Pro company 400555 and the non-Pro 400556 (the picker and the Pro refusal);
# Lars only 400555 (no picker); Sofie only the non-Pro 400556.
DEMO_USERS = (
    DemoUser("mette@demo-lager.dk", "Mette Demo", "demo", (400555, 400556)),
    DemoUser("lars@demo-lager.dk", "Lars Lager", "demo", (400555,)),
    DemoUser("sofie@starter.dk", "Sofie Starter", "demo", (400556,)),
)


@dataclass
class Knobs:
    access_token_lifetime_seconds: int = 3600
    authorization_code_lifetime_seconds: int = 300
    # Dinero's "one-time" refresh tokens may have a grace period of 5–60 s in which a used
    # token can be exchanged again (developer.dinero.dk news, "grace period on refresh
    # tokens"); 0 means none: a used refresh token is refused with invalid_grant.
    refresh_grace_seconds: int = 0
    # Authorization code clients must send a PKCE challenge (S256).
    require_pkce: bool = True
    # How long the token endpoint takes to answer (lets tests make two refreshes overlap).
    token_latency_ms: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply ``changes``; raise ``ValueError`` naming a bad knob, changing nothing."""
        unknown = set(changes) - set(self.as_dict())
        if unknown:
            raise ValueError(f"unknown knob(s): {', '.join(sorted(unknown))}")
        limits = {
            "access_token_lifetime_seconds": (1, None),
            "authorization_code_lifetime_seconds": (1, None),
            "refresh_grace_seconds": (0, 60),
            "token_latency_ms": (0, 60_000),
        }
        for name, value in changes.items():
            if name == "require_pkce":
                if not isinstance(value, bool):
                    raise ValueError("require_pkce must be true or false")
                continue
            low, high = limits[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be a whole number >= {low}")
            if high is not None and value > high:
                raise ValueError(f"{name} must be <= {high}")
        for name, value in changes.items():
            setattr(self, name, value)


@dataclass
class Grant:
    """What a user allowed a client: its scopes. Revoking it ends every token it issued."""

    id: str
    client_id: str
    email: str
    scopes: tuple[str, ...]
    created_at: float
    revoked_at: float | None = None


@dataclass
class AuthorizationCode:
    grant_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str | None
    expires_at: float
    used: bool = False


@dataclass
class RefreshToken:
    grant_id: str
    used_at: float | None = None


@dataclass
class AccessToken:
    grant_id: str
    expires_at: float


@dataclass
class VismaConnect:
    clients: dict[str, str]  # client id → client secret
    knobs: Knobs = field(default_factory=Knobs)
    users: dict[str, DemoUser] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    # Token requests by grant type ("authorization_code", "refresh_token") and outcome.
    token_requests: Counter[str] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def seed(self) -> None:
        """Forget every grant and token; the demo users are back as seeded."""
        with self.lock:
            self.users = {user.email: user for user in DEMO_USERS}
            for table in (self.grants, self.codes, self.refresh_tokens, self.access_tokens):
                table.clear()
            self.token_requests.clear()

    def live_grant(self, grant_id: str) -> Grant | None:
        grant = self.grants.get(grant_id)
        return grant if grant is not None and grant.revoked_at is None else None

    def issue_tokens(self, grant: Grant) -> dict[str, Any]:
        """A token answer for ``grant``: an access token, and a new refresh token if the user
        allowed ``offline_access``."""
        lifetime = self.knobs.access_token_lifetime_seconds
        access = secrets.token_urlsafe(32)
        self.access_tokens[access] = AccessToken(grant.id, time.monotonic() + lifetime)
        answer: dict[str, Any] = {
            "access_token": access,
            "expires_in": lifetime,
            "token_type": "Bearer",
            "scope": " ".join(grant.scopes),
        }
        if "offline_access" in grant.scopes:
            refresh = secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = RefreshToken(grant.id)
            answer["refresh_token"] = refresh
        return answer

    def revoke(self, email: str, client_id: str | None = None) -> int:
        """End every live grant of ``email`` (to one client, or all); return how many."""
        now = time.monotonic()
        revoked = 0
        for grant in self.grants.values():
            if grant.email == email and grant.revoked_at is None:
                if client_id is None or grant.client_id == client_id:
                    grant.revoked_at = now
                    revoked += 1
        return revoked


def current() -> VismaConnect:
    return current_app.extensions[EXTENSION]


def find_access_token(value: str) -> tuple[tuple[int, ...], tuple[str, ...]] | None:
    """The organizations and scopes a live access token opens, or None.

    Visma's access tokens are JWTs that could outlive a revoked grant until they expire; the
    sandbox ends them with their grant so a revocation shows at once (the app copes with both:
    Dinero's 401 makes it refresh, and the refresh is refused)."""
    connect = current_app.extensions.get(EXTENSION)
    if connect is None:
        return None
    with connect.lock:
        token = connect.access_tokens.get(value)
        if token is None:
            return None
        grant = connect.live_grant(token.grant_id)
        if grant is None or token.expires_at <= time.monotonic():
            del connect.access_tokens[value]
            return None
        user = connect.users.get(grant.email)
        return (user.organization_ids if user else ()), grant.scopes
