"""Rackbeat's integration request (contract B, rackbeat.md §4): install sends the browser to the
app's onboarding URL with ``?token=``; the app answers ``POST /integration/accept/{token}``
(no bearer; ``{access_token, app_slug, redirect_to}``) or ``POST /integration/cancel/{token}``.

The request token works once, for accept or cancel, and expires. The sources show no error
answers, so an unknown, used or expired token is a plain 404 with a JSON message.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint
from flask import current_app
from flask import jsonify

from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Installation
from sandbox.rackbeat.store import IntegrationRequest
from sandbox.rackbeat.store import Store
from sandbox.rackbeat.store import Token
from sandbox.rackbeat.store import User

bp = Blueprint("integration", __name__, url_prefix="/integration")

REQUEST_LIFETIME_SECONDS = 3600


def new_request(store: Store, account: Account, user: User) -> IntegrationRequest:
    """Install (integration request): a fresh single-use token for the app's onboarding URL."""
    request = IntegrationRequest(
        token=secrets.token_urlsafe(32),
        slug=store.registration.slug,
        account_id=account.id,
        user_id=user.id,
        expires_at=store.now() + REQUEST_LIFETIME_SECONDS,
    )
    with store.lock:
        store.integration_requests[request.token] = request
    return request


def _open_request(store: Store, token: str) -> IntegrationRequest | None:
    request = store.integration_requests.get(token)
    if request is None or request.answered or request.expires_at < store.now():
        return None
    return request


def _unknown() -> tuple[Any, int]:
    return jsonify(message="The integration request was not found or has expired."), 404


@bp.post("/accept/<token>")
def accept(token: str) -> Any:
    """Install the app on the request's account and issue its access token."""
    store = get_store()
    with store.lock:
        request = _open_request(store, token)
        if request is None:
            return _unknown()
        request.answered = "accepted"
        account = store.accounts[request.account_id]
        account.installations[request.slug] = Installation(
            request.slug, request.user_id, store.now(), contract="integration"
        )
        access = issue_token(store, request.account_id, request.user_id, f"request-{token[:8]}")
    redirect_to = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/settings/apps/{request.slug}"
    return jsonify(access_token=access.value, app_slug=request.slug, redirect_to=redirect_to)


@bp.post("/cancel/<token>")
def cancel(token: str) -> Any:
    store = get_store()
    with store.lock:
        request = _open_request(store, token)
        if request is None:
            return _unknown()
        request.answered = "cancelled"
    return jsonify(message="The integration request was cancelled.")


def issue_token(store: Store, account_id: int, user_id: int, grant_id: str) -> Token:
    """An integration token: every scope the app registered, living as long as the
    ``access_token_lifetime_seconds`` knob says (Rackbeat does not say)."""
    registration = store.registration
    token = Token(
        secrets.token_urlsafe(32),
        grant_id=grant_id,
        client_id=registration.integration_client_id,
        account_id=account_id,
        user_id=user_id,
        scopes=registration.scopes,
        expires_at=store.now() + store.knobs.access_token_lifetime_seconds,
    )
    store.access_tokens[token.value] = token
    return token
