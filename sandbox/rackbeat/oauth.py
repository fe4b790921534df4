"""OAuth 2.0 authorization server: authorization code + PKCE (S256), rotating refresh tokens.

Errors before the client and redirect URI are known to be good are shown as an HTML page (never
a redirect to an unregistered URI); later errors redirect back with ``error`` (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any
from urllib.parse import unquote_plus

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request

from sandbox.rackbeat.context import current_account
from sandbox.rackbeat.context import current_user
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.store import AuthorizationCode
from sandbox.rackbeat.store import AuthorizationRequest
from sandbox.rackbeat.store import Installation
from sandbox.rackbeat.store import Store
from sandbox.rackbeat.store import Token
from sandbox.rackbeat.urls import with_query

bp = Blueprint("oauth", __name__, url_prefix="/oauth")

CODE_LIFETIME_SECONDS = 60
CONSENT_LIFETIME_SECONDS = 600
CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
CODE_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


class TokenError(Exception):
    """An error answer from the token endpoint (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _error_page(message: str) -> tuple[str, int]:
    return render_template("error.html", title="Authorization failed", message=message), 400


@bp.get("/authorize")
def authorize() -> Any:
    """Validate the request and show the consent page."""
    store = get_store()
    registration = store.registration
    args = request.args
    client_id = args.get("client_id")
    if not client_id:
        return _error_page("The request has no client_id.")
    if client_id != registration.client_id:
        return _error_page(f"No app is registered with client_id {client_id!r}.")
    redirect_uri = args.get("redirect_uri")
    if not redirect_uri:
        return _error_page("The request has no redirect_uri.")
    if redirect_uri != registration.redirect_uri:
        return _error_page(
            f"redirect_uri {redirect_uri!r} does not match the app's registered "
            f"redirect URI {registration.redirect_uri!r}."
        )
    state = args.get("state")

    def fail(error: str, description: str) -> Response:
        return redirect(
            with_query(redirect_uri, error=error, error_description=description, state=state)
        )

    repeated = [name for name in AUTHORIZE_PARAMS if len(args.getlist(name)) > 1]
    if repeated:
        return fail("invalid_request", f"Parameter {repeated[0]} was sent more than once.")
    response_type = args.get("response_type")
    if not response_type:
        return fail("invalid_request", "response_type is required.")
    if response_type != "code":
        return fail("unsupported_response_type", "Only response_type=code is supported.")
    if not state:
        return fail("invalid_request", "state is required.")
    scope = args.get("scope", "")
    scopes = tuple(scope.split())
    if not scopes:
        return fail("invalid_request", "scope is required.")
    unknown = [name for name in scopes if name not in registration.scopes]
    if unknown:
        return fail("invalid_scope", f"Scope {unknown[0]!r} is not registered for this app.")
    challenge = args.get("code_challenge")
    if not challenge:
        return fail("invalid_request", "code_challenge is required (PKCE).")
    if args.get("code_challenge_method") != "S256":
        return fail("invalid_request", "code_challenge_method must be S256.")
    if not CODE_CHALLENGE.match(challenge):
        return fail("invalid_request", "code_challenge must be 43 base64url characters.")

    account = current_account()
    pending = AuthorizationRequest(
        id=secrets.token_urlsafe(24),
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=state,
        code_challenge=challenge,
        account_id=account.id,
        user_id=current_user().id,
        expires_at=store.now() + CONSENT_LIFETIME_SECONDS,
    )
    with store.lock:
        store.authorization_requests[pending.id] = pending
    return render_template(
        "consent.html",
        app=registration,
        account=account,
        user=current_user(),
        scopes=scopes,
        request_id=pending.id,
    )


@bp.post("/authorize")
def decide() -> Any:
    """The user's answer on the consent page: redirect back with a code or ``access_denied``."""
    store = get_store()
    with store.lock:
        pending = store.authorization_requests.pop(request.form.get("request_id", ""), None)
        if pending is None or pending.expires_at < store.now():
            return _error_page("This authorization request is unknown or has expired. Start again.")
        if request.form.get("decision") != "allow":
            return redirect(
                with_query(pending.redirect_uri, error="access_denied", state=pending.state)
            )
        code = AuthorizationCode(
            code=secrets.token_urlsafe(32),
            grant_id=secrets.token_hex(8),
            client_id=pending.client_id,
            redirect_uri=pending.redirect_uri,
            scopes=pending.scopes,
            code_challenge=pending.code_challenge,
            account_id=pending.account_id,
            user_id=pending.user_id,
            expires_at=store.now() + CODE_LIFETIME_SECONDS,
        )
        store.codes[code.code] = code
    return redirect(with_query(pending.redirect_uri, code=code.code, state=pending.state))


@bp.post("/token")
def token() -> Any:
    store = get_store()
    try:
        if request.mimetype != "application/x-www-form-urlencoded":
            raise TokenError(
                "invalid_request", "The token endpoint takes application/x-www-form-urlencoded."
            )
        client_id = _authenticate_client(store)
        grant_type = request.form.get("grant_type")
        with store.lock:
            if grant_type == "authorization_code":
                body = _exchange_code(store, client_id)
            elif grant_type == "refresh_token":
                body = _refresh(store, client_id)
            elif not grant_type:
                raise TokenError("invalid_request", "grant_type is required.")
            else:
                raise TokenError("unsupported_grant_type", f"grant_type {grant_type!r}.")
        response = jsonify(body)
    except TokenError as error:
        response = jsonify(error=error.error, error_description=error.description)
        response.status_code = error.status
        if error.status == 401 and request.authorization is not None:
            response.headers["WWW-Authenticate"] = 'Basic realm="rackbeat"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _authenticate_client(store: Store) -> str:
    """client_secret_basic or client_secret_post, never both (RFC 6749 §2.3.1)."""
    form = request.form
    basic = request.authorization
    if basic is not None and basic.type == "basic":
        if form.get("client_secret"):
            raise TokenError("invalid_request", "Use one client authentication method, not two.")
        client_id = unquote_plus(basic.username or "")
        secret = unquote_plus(basic.password or "")
        if form.get("client_id") not in (None, client_id):
            raise TokenError("invalid_request", "client_id differs from the Basic credentials.")
    elif form.get("client_secret"):
        client_id = form.get("client_id", "")
        secret = form["client_secret"]
    else:
        raise TokenError("invalid_client", "Client authentication is required.", 401)
    registration = store.registration
    if client_id != registration.client_id or not hmac.compare_digest(
        secret.encode(), registration.client_secret.encode()
    ):
        raise TokenError("invalid_client", "Client authentication failed.", 401)
    return client_id


def _exchange_code(store: Store, client_id: str) -> dict[str, Any]:
    form = request.form
    for name in ("code", "redirect_uri", "code_verifier"):
        if not form.get(name):
            raise TokenError("invalid_request", f"{name} is required.")
    code = store.codes.get(form["code"])
    if code is None or code.client_id != client_id:
        raise TokenError("invalid_grant", "The authorization code is not valid.")
    if code.used:
        # A replayed code may be stolen: revoke what it already bought (RFC 6749 §4.1.2).
        store.revoke_grant(code.grant_id)
        raise TokenError("invalid_grant", "The authorization code was already used.")
    code.used = True
    if code.expires_at < store.now():
        raise TokenError("invalid_grant", "The authorization code has expired.")
    if form["redirect_uri"] != code.redirect_uri:
        raise TokenError("invalid_grant", "redirect_uri differs from the authorization request.")
    verifier = form["code_verifier"]
    if not CODE_VERIFIER.match(verifier) or not hmac.compare_digest(
        pkce_challenge(verifier), code.code_challenge
    ):
        raise TokenError("invalid_grant", "code_verifier does not match the code_challenge.")
    account = store.accounts[code.account_id]
    slug = store.registration.slug
    if slug not in account.installations:
        account.installations[slug] = Installation(slug, code.user_id, store.now())
    return _issue(store, code.grant_id, client_id, code.account_id, code.user_id, code.scopes)


def _refresh(store: Store, client_id: str) -> dict[str, Any]:
    form = request.form
    if not form.get("refresh_token"):
        raise TokenError("invalid_request", "refresh_token is required.")
    old = store.refresh_tokens.get(form["refresh_token"])
    if old is None or old.client_id != client_id or old.revoked:
        raise TokenError("invalid_grant", "The refresh token is not valid.")
    if old.used:
        raise TokenError("invalid_grant", "The refresh token was already used (tokens rotate).")
    scopes = old.scopes
    if form.get("scope"):
        scopes = tuple(form["scope"].split())
        if not set(scopes) <= set(old.scopes):
            raise TokenError("invalid_scope", "A refresh cannot widen the granted scope.")
    old.used = True
    return _issue(store, old.grant_id, client_id, old.account_id, old.user_id, scopes)


def _issue(
    store: Store,
    grant_id: str,
    client_id: str,
    account_id: int,
    user_id: int,
    scopes: tuple[str, ...],
) -> dict[str, Any]:
    lifetime = store.knobs.access_token_lifetime_seconds
    common = {
        "grant_id": grant_id,
        "client_id": client_id,
        "account_id": account_id,
        "user_id": user_id,
        "scopes": scopes,
    }
    access = Token(secrets.token_urlsafe(32), expires_at=store.now() + lifetime, **common)
    refresh = Token(secrets.token_urlsafe(32), expires_at=None, **common)
    store.access_tokens[access.value] = access
    store.refresh_tokens[refresh.value] = refresh
    return {
        "access_token": access.value,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "refresh_token": refresh.value,
        "scope": " ".join(scopes),
    }


def pkce_challenge(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
