"""Visma Connect's OAuth 2.0 endpoints: authorize (the consent page), token, revocation.

Authorization code with PKCE (S256): the code is single use and bound to the client, the
redirect URI and the challenge. Refresh tokens rotate: each refresh answers a new one, and a
used one is refused with ``invalid_grant`` (unless it is exchanged again within the
``refresh_grace_seconds`` knob). A revoked grant refuses its refresh tokens the same way.
Errors are RFC 6749's ``{"error", "error_description"}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Blueprint
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request

from sandbox.visma_connect import state

bp = Blueprint("visma_connect", __name__, template_folder="templates")


def _oauth_error(status: int, error: str, description: str):
    return jsonify({"error": error, "error_description": description}), status


def _page_error(message: str, status: int = 400):
    return render_template("visma_connect/error.html", message=message), status


def _client_credentials() -> tuple[str, str] | None:
    """HTTP Basic (client_secret_basic) or the form (client_secret_post)."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        return (client_id, secret) if sep else None
    if "client_id" in request.form:
        return request.form["client_id"], request.form.get("client_secret", "")
    return None


def _authenticated_client(connect: state.VismaConnect) -> str | None:
    credentials = _client_credentials()
    if credentials is None:
        return None
    client_id, secret = credentials
    expected = connect.clients.get(client_id)
    if expected is None or not secrets.compare_digest(expected, secret):
        return None
    return client_id


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _back_to_client(redirect_uri: str, **params: str):
    separator = "&" if urlsplit(redirect_uri).query else "?"
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return redirect(f"{redirect_uri}{separator}{query}")


def _authorize_request(connect: state.VismaConnect, values) -> tuple[dict | None, object]:
    """The checked authorization request, or (None, the answer to give).

    Without a known client and an absolute redirect URI nothing may be sent back to it, so
    those errors are shown here (RFC 6749 §4.1.2.1); the others go back to the client."""
    client_id, redirect_uri = values.get("client_id", ""), values.get("redirect_uri", "")
    if client_id not in connect.clients:
        return None, _page_error("Unknown client_id.")
    if urlsplit(redirect_uri).scheme not in ("http", "https") or not urlsplit(redirect_uri).netloc:
        return None, _page_error("redirect_uri must be an absolute http(s) URL.")
    back = {"state": values.get("state")}
    if values.get("response_type") != "code":
        return None, _back_to_client(redirect_uri, error="unsupported_response_type", **back)
    scopes = values.get("scope", "").split()
    if not scopes or not set(scopes) <= state.KNOWN_SCOPES:
        return None, _back_to_client(redirect_uri, error="invalid_scope", **back)
    challenge = values.get("code_challenge") or None
    if challenge is not None and values.get("code_challenge_method") != "S256":
        description = "Only code_challenge_method=S256 is supported."
        return None, _back_to_client(
            redirect_uri, error="invalid_request", error_description=description, **back
        )
    if challenge is None and connect.knobs.require_pkce:
        description = "code_challenge is required."
        return None, _back_to_client(
            redirect_uri, error="invalid_request", error_description=description, **back
        )
    checked = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": values.get("state", ""),
        "code_challenge": challenge or "",
        "code_challenge_method": values.get("code_challenge_method", ""),
    }
    return checked, None


@bp.route("/connect/authorize", methods=["GET", "POST"])
def authorize():
    """GET shows the sign-in and consent page; POST is the user's answer."""
    connect = state.current()
    checked, refusal = _authorize_request(connect, request.values)
    if checked is None:
        return refusal
    if request.method == "GET":
        return _consent_page(connect, checked)
    if request.form.get("decision") != "allow":
        return _back_to_client(
            checked["redirect_uri"], error="access_denied", state=checked["state"]
        )
    email = request.form.get("email", "").strip().lower()
    with connect.lock:
        user = connect.users.get(email)
        if user is None or not secrets.compare_digest(
            user.password, request.form.get("password", "")
        ):
            return _consent_page(connect, checked, error="Wrong e-mail or password.", status=401)
        grant = state.Grant(
            id=secrets.token_hex(8),
            client_id=checked["client_id"],
            email=user.email,
            scopes=tuple(checked["scope"].split()),
            created_at=time.monotonic(),
        )
        connect.grants[grant.id] = grant
        code = secrets.token_urlsafe(24)
        connect.codes[code] = state.AuthorizationCode(
            grant_id=grant.id,
            client_id=checked["client_id"],
            redirect_uri=checked["redirect_uri"],
            code_challenge=checked["code_challenge"] or None,
            expires_at=time.monotonic() + connect.knobs.authorization_code_lifetime_seconds,
        )
    return _back_to_client(
        checked["redirect_uri"], code=code, scope=checked["scope"], state=checked["state"]
    )


def _consent_page(connect, checked, *, error: str | None = None, status: int = 200):
    with connect.lock:
        users = sorted(connect.users.values(), key=lambda user: user.email)
    page = render_template(
        "visma_connect/consent.html",
        request_fields=checked,
        scopes=checked["scope"].split(),
        users=users,
        error=error,
    )
    return page, status


@bp.post("/connect/token")
def token():
    connect = state.current()
    grant_type = request.form.get("grant_type", "")
    with connect.lock:
        latency = connect.knobs.token_latency_ms
    time.sleep(latency / 1000)
    with connect.lock:
        connect.token_requests[grant_type] += 1
        client_id = _authenticated_client(connect)
        if client_id is None:
            return _oauth_error(401, "invalid_client", "The client credentials are invalid.")
        if grant_type == "authorization_code":
            return _exchange_code(connect, client_id)
        if grant_type == "refresh_token":
            return _exchange_refresh_token(connect, client_id)
        return _oauth_error(400, "unsupported_grant_type", f"grant_type {grant_type!r}.")


def _exchange_code(connect: state.VismaConnect, client_id: str):
    form = request.form
    code = connect.codes.get(form.get("code", ""))
    if code is None or code.used or code.expires_at <= time.monotonic():
        return _oauth_error(400, "invalid_grant", "The authorization code is invalid or used.")
    code.used = True  # single use, even when the request is refused below
    if code.client_id != client_id or code.redirect_uri != form.get("redirect_uri"):
        return _oauth_error(400, "invalid_grant", "The code was issued to another client or URI.")
    if code.code_challenge is not None:
        verifier = form.get("code_verifier", "")
        if not verifier or not secrets.compare_digest(_s256(verifier), code.code_challenge):
            return _oauth_error(400, "invalid_grant", "The code_verifier does not match.")
    grant = connect.live_grant(code.grant_id)
    if grant is None:
        return _oauth_error(400, "invalid_grant", "The grant was revoked.")
    connect.token_requests["authorization_code:issued"] += 1
    return jsonify(connect.issue_tokens(grant))


def _exchange_refresh_token(connect: state.VismaConnect, client_id: str):
    value = request.form.get("refresh_token", "")
    refresh = connect.refresh_tokens.get(value)
    grant = connect.live_grant(refresh.grant_id) if refresh else None
    if refresh is None or grant is None or grant.client_id != client_id:
        return _oauth_error(400, "invalid_grant", "The refresh token is invalid or revoked.")
    now = time.monotonic()
    if refresh.used_at is not None and now - refresh.used_at > connect.knobs.refresh_grace_seconds:
        return _oauth_error(400, "invalid_grant", "The refresh token was already used.")
    refresh.used_at = refresh.used_at or now
    connect.token_requests["refresh_token:issued"] += 1
    return jsonify(connect.issue_tokens(grant))


@bp.post("/connect/revocation")
def revocation():
    """RFC 7009: revoking a refresh token ends its grant; an access token ends alone. An
    unknown token is answered 200 as well (the client cannot tell)."""
    connect = state.current()
    with connect.lock:
        client_id = _authenticated_client(connect)
        if client_id is None:
            return _oauth_error(401, "invalid_client", "The client credentials are invalid.")
        value = request.form.get("token", "")
        refresh = connect.refresh_tokens.get(value)
        if refresh is not None:
            grant = connect.grants.get(refresh.grant_id)
            if grant is not None and grant.client_id == client_id and grant.revoked_at is None:
                grant.revoked_at = time.monotonic()
        access = connect.access_tokens.get(value)
        grant = connect.grants.get(access.grant_id) if access else None
        if grant is not None and grant.client_id == client_id:
            del connect.access_tokens[value]
    return "", 200
