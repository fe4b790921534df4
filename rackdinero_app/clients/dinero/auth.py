"""How the Dinero client gets an access token: a ``TokenSource``.

Today the only sign-in is the API key (``ApiKeyGrant``). Visma Connect OAuth, with refresh
tokens, will be a second ``TokenSource``; the transport does not care which one it has.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any
from typing import Protocol

from rackdinero_app.clients import http
from rackdinero_app.clients.dinero.errors import SERVICE
from rackdinero_app.clients.dinero.errors import error_for
from rackdinero_app.clients.errors import AuthFailed


class TokenSource(Protocol):
    """Hands out a bearer token for Dinero's API."""

    def token(self) -> str:
        """A token that is valid now (fetched, or reused while it lasts)."""
        ...

    def forget(self, token: str) -> None:
        """Dinero refused ``token``: never hand it out again."""
        ...

    def secrets(self) -> tuple[str | None, ...]:
        """Every secret of this sign-in, to keep out of error messages."""
        ...


class ApiKeyGrant:
    """Dinero's OAuth password grant, with the user's API key as both username and password.

    The token is shared by every process through Redis, per organization and a fingerprint of
    the key, and kept until ``token_margin`` seconds before Dinero lets it expire.
    """

    def __init__(
        self,
        organization_id: int,
        api_key: str,
        *,
        client_id: str,
        client_secret: str,
        auth_url: str,
        redis: Any,
        token_margin: float = 60.0,
        timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT),
    ) -> None:
        self._api_key = api_key
        self._client_id = client_id
        self._client_secret = client_secret
        self.auth_url = auth_url.rstrip("/")
        self._redis = redis
        self._token_margin = token_margin
        self._timeout = timeout
        fingerprint = hashlib.sha256(f"{client_id}:{api_key}".encode()).hexdigest()[:24]
        self._key = f"rackdinero:dinero:token:{int(organization_id)}:{fingerprint}"
        self._token: str | None = None
        self._deadline = 0.0

    def token(self) -> str:
        if self._token and time.monotonic() < self._deadline:
            return self._token
        cached = self._redis.get(self._key)
        ttl = self._redis.ttl(self._key) if cached else -2
        if cached and ttl > 0:
            return self._remember(_text(cached), ttl)
        return self._fetch()

    def forget(self, token: str) -> None:
        cached = self._redis.get(self._key)
        if cached is not None and _text(cached) == token:
            self._redis.delete(self._key)
        self._token = None
        self._deadline = 0.0

    def secrets(self) -> tuple[str | None, ...]:
        return (self._api_key, self._client_secret, self._token)

    def _remember(self, token: str, ttl: float) -> str:
        self._token = token
        self._deadline = time.monotonic() + ttl
        return token

    def _fetch(self) -> str:
        response = http.send(
            "POST",
            f"{self.auth_url}/dineroapi/oauth/token",
            service=SERVICE,
            timeout=self._timeout,
            auth=(self._client_id, self._client_secret),
            data={
                "grant_type": "password",
                "scope": "read write",
                "username": self._api_key,
                "password": self._api_key,
            },
        )
        if response.status_code == 401:
            # invalid_client: the app's own client id/secret, not the user's key.
            raise AuthFailed(message_code="dinero_client_refused", status=401)
        if response.status_code in (400, 403):
            raise AuthFailed(message_code="dinero_key_not_accepted", status=response.status_code)
        if not response.ok:
            raise error_for(response, self.secrets())
        payload = response.json()
        token = payload["access_token"]
        ttl = float(payload.get("expires_in", 3600)) - self._token_margin
        if ttl > 0:
            self._redis.set(self._key, token, ex=max(1, int(ttl)))
        return self._remember(token, max(ttl, 0.0))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
