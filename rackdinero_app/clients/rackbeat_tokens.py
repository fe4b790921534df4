"""Where a Rackbeat access token comes from and how it is replaced, for both install contracts.

Contract A (catalogue OAuth) refreshes with its rotating refresh token at ``/oauth/token``.
Contract B (Rackbeat's integration request, rackbeat.md §4) gets its token from
``{integration endpoint}/accept/{token}`` and replaces it with ``POST /api/tokens/replace-current``
(bearer = the current token; the answer's ``token`` replaces it and the old one stops working).

A refresh token and a replaced token each work once, so only one refresh per connection may run
at a time, across every process: a Redis lock serializes them, and whoever gets the lock re-reads
the stored token first, because another process may already have replaced it.

Every request names its consumer (``Consumer-Name``, ``Consumer-Contact`` and a ``User-Agent``
of "name (contact)"): Rackbeat's own SDK warns that leaving them out may get an IP restricted.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Protocol
from urllib.parse import quote

import requests

from rackdinero_app.clients import http
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.clients.tokens import TokenStore

SERVICE = "Rackbeat"
OAUTH = "oauth"
INTEGRATION = "integration"
CONTRACTS = (OAUTH, INTEGRATION)

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# Turns an unsuccessful answer into the client's typed error (``RackbeatClient._error``).
ErrorFor = Callable[[requests.Response], ClientError]


@dataclass(frozen=True)
class Consumer:
    """Who calls Rackbeat: sent with every request, token calls included."""

    name: str = "rackdinero"
    contact: str | None = None

    def headers(self) -> dict[str, str]:
        if not self.contact:
            return {"Consumer-Name": self.name, "User-Agent": self.name}
        return {
            "Consumer-Name": self.name,
            "Consumer-Contact": self.contact,
            "User-Agent": f"{self.name} ({self.contact})",
        }


class Refresher(Protocol):
    """How a contract replaces a stale token with a fresh one (one HTTP call)."""

    def exchange(self, current: TokenPair) -> TokenPair: ...


@dataclass
class RefreshTokenGrant:
    """Contract A: the OAuth ``refresh_token`` grant; refresh tokens rotate and work once."""

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    consumer: Consumer
    error: ErrorFor
    timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT)

    def exchange(self, current: TokenPair) -> TokenPair:
        if not current.refresh_token:
            raise AuthFailed(message_code="rackbeat_reinstall", status=401)
        response = http.send(
            "POST",
            f"{self.base_url}/oauth/token",
            service=SERVICE,
            timeout=self.timeout,
            data={
                "grant_type": "refresh_token",
                "refresh_token": current.refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            headers={"Accept": "application/json", **self.consumer.headers()},
        )
        if response.status_code in (400, 401, 403):
            raise AuthFailed(message_code="rackbeat_reinstall", status=response.status_code)
        if not response.ok:
            raise self.error(response)
        payload = response.json()
        expires_in = payload.get("expires_in")
        return TokenPair(
            access_token=payload["access_token"],
            refresh_token=payload.get("refresh_token") or current.refresh_token,
            expires_at=None if expires_in is None else _after(timedelta(seconds=float(expires_in))),
        )


@dataclass
class ReplaceCurrent:
    """Contract B: ``POST /api/tokens/replace-current``. Rackbeat says nothing of how long a
    token lives, so the new one is given ``lifetime`` as its expiry: once that has passed, the
    next call (or the periodic job) replaces it first. A 401 replaces it at once, too."""

    base_url: str
    consumer: Consumer
    error: ErrorFor
    lifetime: timedelta
    timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT)

    def exchange(self, current: TokenPair) -> TokenPair:
        response = http.send(
            "POST",
            f"{self.base_url}/api/tokens/replace-current",
            service=SERVICE,
            timeout=self.timeout,
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {current.access_token}",
                **self.consumer.headers(),
            },
        )
        if response.status_code in (401, 403):
            raise AuthFailed(message_code="rackbeat_reinstall", status=response.status_code)
        if not response.ok:
            raise self.error(response)
        token = _json(response).get("token")
        if not isinstance(token, str) or not token:
            raise Transient(message_code="http_status", params={"service": SERVICE, "status": 200})
        return TokenPair(access_token=token, expires_at=_after(self.lifetime))


def token_expiry(lifetime: timedelta) -> datetime:
    """When a contract-B token obtained now is due to be replaced."""
    return _after(lifetime)


def _after(delta: timedelta) -> datetime:
    return datetime.now(UTC) + delta


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class TokenKeeper:
    """The token one client sends: loaded once, replaced shortly before it expires or when
    Rackbeat answers 401, one replacement per connection at a time (the Redis lock)."""

    def __init__(
        self,
        store: TokenStore,
        refresher: Refresher | None,
        redis: Any,
        *,
        margin: float = 60.0,
        lock_seconds: float = 60.0,
    ) -> None:
        self.store = store
        self._refresher = refresher
        self._redis = redis
        self._margin = margin
        self._lock_seconds = lock_seconds
        self.pair: TokenPair | None = None

    @property
    def can_refresh(self) -> bool:
        return self._refresher is not None and self._redis is not None

    def current(self) -> TokenPair:
        if self.pair is None:
            self.pair = self.store.load()
        if self.can_refresh and self.pair.expires_within(self._margin):
            self.pair = self.refresh(self.pair)
        return self.pair

    def refresh(self, stale: TokenPair) -> TokenPair:
        """Replace ``stale``, unless another process already did; one refresh at a time."""
        if not self.can_refresh:
            raise AuthFailed(message_code="rackbeat_reinstall", status=401)
        lock = f"rackdinero:rackbeat:refresh-lock:{self.store.key}"
        owner = secrets.token_hex(16)
        deadline = time.monotonic() + self._lock_seconds
        while not self._redis.set(lock, owner, nx=True, px=int(self._lock_seconds * 1000)):
            if time.monotonic() > deadline:
                raise Transient(message_code="rackbeat_refresh_slow")
            time.sleep(0.02)
        try:
            current = self.store.load()
            if current.access_token != stale.access_token and not current.expires_within(
                self._margin
            ):
                self.pair = current
                return current
            fresh = self._refresher.exchange(current)
            self.store.save(fresh)
            self.pair = fresh
            return fresh
        finally:
            self._redis.eval(_RELEASE, 1, lock, owner)

    def secrets(self) -> tuple[str | None, ...]:
        """What must never appear in an error message."""
        if self.pair is None:
            return ()
        return (self.pair.access_token, self.pair.refresh_token)


@dataclass(frozen=True)
class AcceptedIntegration:
    """Rackbeat's answer to ``accept/{token}``: the installation's token and where to go next."""

    access_token: str = field(repr=False)
    app_slug: str
    redirect_to: str | None


@dataclass
class IntegrationRequests:
    """Rackbeat's integration endpoint (``…/integration/``): accept or cancel an integration
    request. These calls carry no bearer token; the request token is single-use."""

    endpoint: str
    consumer: Consumer
    timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT)

    def accept(self, request_token: str) -> AcceptedIntegration:
        """``POST accept/{token}``. A refusal (4xx) is a ``ClientError``; a timeout or 5xx is
        ``Transient`` (the token may have been spent)."""
        response = self._post("accept", request_token)
        body = _json(response)
        token, slug = body.get("access_token"), body.get("app_slug")
        if not isinstance(token, str) or not token or not isinstance(slug, str) or not slug:
            raise Transient(message_code="http_status", params={"service": SERVICE, "status": 200})
        redirect_to = body.get("redirect_to")
        return AcceptedIntegration(
            token, slug, redirect_to if isinstance(redirect_to, str) and redirect_to else None
        )

    def cancel(self, request_token: str) -> None:
        """``POST cancel/{token}``: the user gave up; Rackbeat forgets the request."""
        self._post("cancel", request_token)

    def _post(self, action: str, request_token: str) -> requests.Response:
        response = http.send(
            "POST",
            f"{self.endpoint.rstrip('/')}/{action}/{quote(request_token, safe='')}",
            service=SERVICE,
            timeout=self.timeout,
            headers={"Accept": "application/json", **self.consumer.headers()},
        )
        if response.ok:
            return response
        status = response.status_code
        params = {"service": SERVICE, "status": status}
        if status >= 500:
            raise Transient(message_code="server_error", params=params, status=status)
        raise ClientError(message_code="http_status", params=params, status=status)
