"""A pending Visma Connect sign-in, kept server-side in Redis for ``VISMA_SIGN_IN_SECONDS``.

It is created by the flow that wants the sign-in (its ``purpose`` and ``subject``), started in
a top-level window (which gets the OAuth ``state``, the PKCE verifier and a browser binding),
and finished by the callback or the company picker. Secrets in it (the verifier, the tokens)
are encrypted with the app's keys; once it has ended only its outcome is kept.

    created → started → choosing → succeeded | failed
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import current_app

from rackdinero_app.clients.visma_connect import Tokens
from rackdinero_app.extensions import crypto
from rackdinero_app.extensions import rq

OPEN = ("created", "started", "choosing")
ENDED = ("succeeded", "failed")


@dataclass
class PendingSignIn:
    id: str
    purpose: str  # names the continuation that receives the verified sign-in
    subject: str  # what the purpose acts on: a connection id, or another flow's own id
    actor: str  # who signs in, for the audit trail
    locale: str  # the language of the pages the window shows
    status: str = "created"
    failure: str | None = None  # a code of ``messages.MESSAGES`` once it failed
    failed_organization_id: int | None = None  # the company a failure is about
    current_organization_id: int | None = None  # connected now (a change warns about another)
    organizations: list[dict[str, Any]] = field(default_factory=list)  # while choosing
    next_url: str | None = None  # where the window goes when it succeeded (None: "done")
    sealed_verifier: str | None = None
    sealed_tokens: str | None = None
    browser_hash: str | None = None
    state_hash: str | None = None  # only the newest start's state leads here

    @property
    def finished(self) -> bool:
        return self.status in ENDED

    def tokens(self) -> Tokens:
        data = json.loads(crypto.decrypt(self.sealed_tokens or ""))
        return Tokens(**data)

    def seal_tokens(self, tokens: Tokens) -> None:
        self.sealed_tokens = crypto.encrypt(json.dumps(asdict(tokens)))

    def verifier(self) -> str:
        return crypto.decrypt(self.sealed_verifier or "")

    def bound_to(self, browser_nonce: str | None) -> bool:
        """Whether the browser holding ``browser_nonce`` is the one that started it."""
        return bool(browser_nonce and self.browser_hash) and secrets.compare_digest(
            _digest(browser_nonce), self.browser_hash
        )


def _seconds() -> int:
    return int(current_app.config["VISMA_SIGN_IN_SECONDS"])


def _key(sign_in_id: str) -> str:
    return f"rackdinero:visma-sign-in:{sign_in_id}"


def _state_key(state: str) -> str:
    return f"rackdinero:visma-sign-in-state:{state}"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def save(pending: PendingSignIn) -> None:
    """Store it for the full lifetime again (an outcome stays readable that long)."""
    rq.redis.set(_key(pending.id), json.dumps(asdict(pending)), ex=_seconds())


def create(purpose: str, subject: str, actor: str, locale: str, **values: Any) -> PendingSignIn:
    pending = PendingSignIn(
        id=secrets.token_urlsafe(24),
        purpose=purpose,
        subject=subject,
        actor=actor,
        locale=locale,
        **values,
    )
    save(pending)
    return pending


def get(sign_in_id: str) -> PendingSignIn | None:
    raw = rq.redis.get(_key(sign_in_id))
    return PendingSignIn(**json.loads(raw)) if raw is not None else None


def start(pending: PendingSignIn, code_verifier: str) -> tuple[str, str]:
    """Bind it to a fresh OAuth ``state`` and to this browser; return (state, browser nonce).

    Opening the window again starts over with a new state: the old one no longer leads here."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    pending.status = "started"
    pending.sealed_verifier = crypto.encrypt(code_verifier)
    pending.browser_hash = _digest(nonce)
    pending.state_hash = _digest(state)
    save(pending)
    rq.redis.set(_state_key(state), pending.id, ex=_seconds())
    return state, nonce


def take_by_state(state: str) -> PendingSignIn | None:
    """The started sign-in ``state`` names, once: the state is spent by this call (a replayed
    callback finds nothing), and an expired sign-in is gone with its state."""
    if not state:
        return None
    sign_in_id = rq.redis.getdel(_state_key(state))
    if sign_in_id is None:
        return None
    pending = get(sign_in_id.decode() if isinstance(sign_in_id, bytes) else sign_in_id)
    if pending is None or pending.status != "started" or pending.state_hash != _digest(state):
        return None
    return pending


def claim(pending: PendingSignIn) -> bool:
    """Whether this request may finish the sign-in (a double-clicked choice finishes once)."""
    return bool(rq.redis.set(f"{_key(pending.id)}:finishing", 1, nx=True, ex=_seconds()))


def end(pending: PendingSignIn, failure: str | None = None, organization_id: int | None = None):
    """Record the outcome and drop every secret it held."""
    pending.status = "failed" if failure else "succeeded"
    pending.failure = failure
    pending.failed_organization_id = organization_id if failure else None
    pending.organizations = []
    pending.sealed_verifier = pending.sealed_tokens = pending.browser_hash = None
    pending.state_hash = None
    save(pending)
