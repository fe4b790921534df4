"""The legacy API-key token endpoint and bearer-token checks.

``POST /dineroapi/oauth/token`` (Dinero serves it from authz.dinero.dk) exchanges an
organization's API key for a bearer token that only opens that organization. No refresh token
is issued: clients of the API-key flow simply ask for a new token with the key.

The API also accepts Visma Connect access tokens (``sandbox/visma_connect``): such a token opens
every organization its user reaches, and each request's path names the one it works on.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from dataclasses import dataclass

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.dinero import state
from sandbox.dinero.errors import ApiError
from sandbox.visma_connect import state as visma_state

bp = Blueprint("dinero_auth", __name__)

# The password grant's scopes ([OLD] and the published clients send "read write"); Visma
# Connect's ``dineropublicapi:*`` scopes are not valid here.
PASSWORD_GRANT_SCOPES = {"read", "write"}


class Unauthorized(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(401, 41, message)


class Forbidden(ApiError):
    def __init__(self, message: str, code: int = 41) -> None:
        super().__init__(403, code, message)


@dataclass(frozen=True)
class Bearer:
    """What the request's bearer token opens: organizations, and (Visma Connect) its scopes."""

    organization_ids: tuple[int, ...]
    scopes: frozenset[str] | None = None  # None: the API-key token, which reads and writes

    def allows(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes


def _oauth_error(status: int, error: str, description: str):
    return jsonify({"error": error, "error_description": description}), status


def _basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def _scope_refused(scope: str | None) -> bool:
    """A missing scope is accepted: Dinero issues the token without one (a published Python
    client sends no ``scope`` at all, and a Go client sends only ``read``), so only a scope
    outside ``read write`` (e.g. Visma Connect's ``dineropublicapi:read``) is refused."""
    requested = set((scope or "").split())
    return not requested <= PASSWORD_GRANT_SCOPES


@bp.post("/dineroapi/oauth/token")
def token():
    sandbox = state.current()
    credentials = _basic_credentials()
    if credentials != (sandbox.client_id, sandbox.client_secret):
        return _oauth_error(401, "invalid_client", "The client credentials are invalid.")
    form = request.form
    if form.get("grant_type") != "password":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=password is supported.")
    if _scope_refused(form.get("scope")):
        return _oauth_error(400, "invalid_scope", "The scope must be 'read write'.")
    username, password = form.get("username", ""), form.get("password", "")
    with sandbox.lock:
        organization = sandbox.organization_by_key(username)
        if organization is None or password != username:
            return _oauth_error(400, "invalid_grant", "The API key is not valid.")
        lifetime = sandbox.knobs.token_lifetime_seconds
        access_token = secrets.token_urlsafe(32)
        sandbox.tokens[access_token] = state.Token(organization.id, time.monotonic() + lifetime)
    return jsonify({"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime})


def bearer() -> Bearer:
    """What the request's bearer token opens; 401 if it is no valid token of either kind."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise Unauthorized("Authorization has been denied for this request.")
    sandbox = state.current()
    with sandbox.lock:
        token = sandbox.tokens.get(value)
        if token is not None and token.expires_at <= time.monotonic():
            del sandbox.tokens[value]
            raise Unauthorized("The access token has expired.")
    if token is not None:
        return Bearer((token.organization_id,))
    visma = visma_state.find_access_token(value)
    if visma is None:
        raise Unauthorized("Authorization has been denied for this request.")
    organization_ids, scopes = visma
    return Bearer(organization_ids, frozenset(scopes))
