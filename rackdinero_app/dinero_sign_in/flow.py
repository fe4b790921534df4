"""Sign in to Dinero with Visma Connect: begin, start, callback, choose a company, hand over.

Any flow that needs a Dinero sign-in uses the same steps (the seam):

1. ``register(purpose, continuation)`` once, at import time;
2. ``begin(purpose, subject, actor, locale)`` → a ``PendingSignIn``; send the browser, in a
   top-level window, to ``start_url(pending)`` (Visma's page cannot be framed);
3. Visma comes back to the callback; the user picks one of the companies the token reaches
   (only asked when there is more than one, or when a change would move to another company);
4. the continuation receives ``Verified(organization_id, organization_name, tokens)`` for a
   Dinero Pro company (``tokens.refresh_token`` is the credential to keep) and returns the URL
   the window goes to next, or None for the "done, return to Rackbeat" page. Raising
   ``SignInRefused(code)`` ends the sign-in with that failure instead.

Activation and "change Dinero connection" are two purposes (``embedded/activation/visma.py``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask import url_for

from rackdinero_app.clients.dinero.auth import BearerToken
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.visma_connect import Tokens
from rackdinero_app.connections import dinero_client_with
from rackdinero_app.connections import visma_connect
from rackdinero_app.dinero_sign_in import pending as pending_store
from rackdinero_app.dinero_sign_in.pending import PendingSignIn

# ``GET /v1/organizations`` names no organization (the client takes its rate bucket from the
# credentials for that call, not from this placeholder).
NO_ORGANIZATION = 0


@dataclass(frozen=True)
class Verified:
    """A finished sign-in: the chosen Dinero Pro company and the tokens that reach it."""

    organization_id: int
    organization_name: str | None
    tokens: Tokens


class SignInRefused(Exception):
    """A continuation refuses the verified sign-in; ``code`` names the failure message."""

    def __init__(self, code: str, organization_id: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.organization_id = organization_id


Continuation = Callable[[PendingSignIn, Verified], str | None]
_continuations: dict[str, Continuation] = {}


def register(purpose: str, continuation: Continuation) -> None:
    _continuations[purpose] = continuation


def enabled() -> bool:
    """Visma Connect sign-in is offered when the app has a client id there."""
    return bool(current_app.config.get("VISMA_CONNECT_CLIENT_ID"))


def begin(
    purpose: str,
    subject: str,
    actor: str,
    locale: str,
    *,
    current_organization_id: int | None = None,
) -> PendingSignIn:
    """A new pending sign-in for ``purpose``; ``current_organization_id`` (a change) makes
    choosing another company ask for a confirmation."""
    if purpose not in _continuations:
        raise ValueError(f"no continuation is registered for {purpose!r}")
    return pending_store.create(
        purpose, subject, actor, locale, current_organization_id=current_organization_id
    )


def start_url(pending: PendingSignIn) -> str:
    return url_for("dinero_sign_in.start", sign_in_id=pending.id)


def redirect_uri() -> str:
    """The callback registered with Visma Connect for this deployment."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + "/dinero-sign-in/callback"


def authorization_url(pending: PendingSignIn) -> tuple[str, str]:
    """Where the window goes to sign in, and the nonce that binds the browser to it."""
    verifier = secrets.token_urlsafe(64)
    state, nonce = pending_store.start(pending, verifier)
    return visma_connect().authorization_url(redirect_uri(), state, verifier), nonce


def callback(args: Mapping[str, str], browser_nonce: Callable[[str], str | None]):
    """Visma's answer: the pending sign-in as it is now (None when the state is unknown,
    used or expired). It may have ended, or wait for the user to choose a company."""
    pending = pending_store.take_by_state(args.get("state", ""))
    if pending is None:
        return None
    if not pending.bound_to(browser_nonce(pending.id)):
        pending_store.end(pending, "other_browser")
    elif args.get("error"):
        denied = args["error"] == "access_denied"
        pending_store.end(pending, "denied" if denied else "exchange_failed")
    elif not args.get("code"):
        pending_store.end(pending, "exchange_failed")
    else:
        _exchanged(pending, args["code"])
    return pending


def _exchanged(pending: PendingSignIn, code: str) -> None:
    try:
        tokens = visma_connect().exchange_code(code, redirect_uri(), pending.verifier())
    except Transient:
        return pending_store.end(pending, "unreachable")
    except ClientError:
        return pending_store.end(pending, "exchange_failed")
    try:
        organizations = reachable_organizations(tokens)
    except ClientError:
        return pending_store.end(pending, "unreachable")
    if not organizations:
        return pending_store.end(pending, "no_organizations")
    pending.organizations = organizations
    only = organizations[0] if len(organizations) == 1 else None
    if only is not None and not needs_confirmation(pending, only["id"]):
        return _finish(pending, only, tokens)
    pending.status = "choosing"
    pending.seal_tokens(tokens)
    pending_store.save(pending)
    return None


def reachable_organizations(tokens: Tokens) -> list[dict]:
    """The companies the token reaches, as Dinero lists them (Pro or not)."""
    client = dinero_client_with(NO_ORGANIZATION, BearerToken(tokens.access_token))
    return [
        {"id": int(org["Id"]), "name": org.get("Name"), "is_pro": bool(org.get("IsPro"))}
        for org in client.organizations(fields="id,name,isPro")
    ]


def needs_confirmation(pending: PendingSignIn, organization_id: int) -> bool:
    current = pending.current_organization_id
    return current is not None and current != organization_id


def choose(pending: PendingSignIn, organization_id: int) -> str | None:
    """The user's choice of company; a problem with it is returned as a failure code (the
    picker shows it and stays open), else the sign-in ends."""
    chosen = next((o for o in pending.organizations if o["id"] == organization_id), None)
    if chosen is None:
        return "unknown_organization"
    if not chosen["is_pro"]:
        return "not_pro"
    if not pending_store.claim(pending):
        return "expired"
    _finish(pending, chosen, pending.tokens())
    return None


def _finish(pending: PendingSignIn, organization: dict, tokens: Tokens) -> None:
    if not organization["is_pro"]:
        return pending_store.end(pending, "not_pro", organization["id"])
    verified = Verified(organization["id"], organization["name"], tokens)
    try:
        pending.next_url = _continuations[pending.purpose](pending, verified)
    except SignInRefused as refused:
        return pending_store.end(pending, refused.code, refused.organization_id)
    return pending_store.end(pending)
