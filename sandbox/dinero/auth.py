"""The legacy API-key token endpoint and bearer-token checks.

``POST /dineroapi/oauth/token`` (Dinero serves it from authz.dinero.dk) exchanges an
organization's API key for a bearer token that only opens that organization. No refresh token
is issued: clients of the API-key flow simply ask for a new token with the key.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.dinero import state
from sandbox.dinero.errors import ApiError

bp = Blueprint("dinero_auth", __name__)


class Unauthorized(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(401, 41, message)


class Forbidden(ApiError):
    def __init__(self, message: str, code: int = 41) -> None:
        super().__init__(403, code, message)


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


@bp.post("/dineroapi/oauth/token")
def token():
    sandbox = state.current()
    credentials = _basic_credentials()
    if credentials != (sandbox.client_id, sandbox.client_secret):
        return _oauth_error(401, "invalid_client", "The client credentials are invalid.")
    form = request.form
    if form.get("grant_type") != "password":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=password is supported.")
    if set(form.get("scope", "").split()) != {"read", "write"}:
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


def organization_of_bearer() -> int:
    """The organization the request's bearer token was issued for; 401 if none is valid."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Authorization has been denied for this request.")
    sandbox = state.current()
    with sandbox.lock:
        token = sandbox.tokens.get(value.strip())
        if token is None:
            raise Unauthorized("Authorization has been denied for this request.")
        if token.expires_at <= time.monotonic():
            del sandbox.tokens[value.strip()]
            raise Unauthorized("The access token has expired.")
        return token.organization_id
