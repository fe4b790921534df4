"""How the Dinero client gets an access token: a ``TokenSource``.

Two sign-ins (DESIGN §2): the article's API key (``ApiKeyGrant``, the password grant) and
Visma Connect (``VismaConnectTokens``: access tokens from a refresh token that rotates). The
transport does not care which one it has.
"""

from __future__ import annotations

import hashlib
import secrets as random_tokens
import time
from typing import Any
from typing import Protocol

from rackdinero_app.clients import http
from rackdinero_app.clients.dinero.errors import SERVICE
from rackdinero_app.clients.dinero.errors import error_for
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import SignInRevoked
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.visma_connect import Tokens
from rackdinero_app.clients.visma_connect import VismaConnect


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


class Sealer(Protocol):
    """Encrypts what is cached in Redis (the app's MultiFernet keys): an access token read
    from Redis serves anyone who reaches Redis, so it is never stored in clear."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt_or_none(self, token: str) -> str | None:
        """None when no key reads it any more: the cached token is then a miss."""
        ...


class ApiKeyGrant:
    """Dinero's OAuth password grant, with the user's API key as both username and password.

    With a ``sealer`` the token is shared by every process through Redis (encrypted), per
    organization and a fingerprint of the key, and kept until ``token_margin`` seconds before
    Dinero lets it expire; without one it stays in this object only.
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
        sealer: Sealer | None = None,
        token_margin: float = 60.0,
        timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT),
    ) -> None:
        self._api_key = api_key
        self._client_id = client_id
        self._client_secret = client_secret
        self.auth_url = auth_url.rstrip("/")
        self._redis = redis
        self._sealer = sealer
        self._token_margin = token_margin
        self._timeout = timeout
        fingerprint = hashlib.sha256(f"{client_id}:{api_key}".encode()).hexdigest()[:24]
        self._key = f"rackdinero:dinero:token:{int(organization_id)}:{fingerprint}"
        self._token: str | None = None
        self._deadline = 0.0

    def token(self) -> str:
        if self._token and time.monotonic() < self._deadline:
            return self._token
        if self._sealer is not None:
            cached, ttl = _read_sealed(self._redis, self._key, self._sealer)
            if cached:
                return self._remember(cached, ttl)
        return self._fetch()

    def forget(self, token: str) -> None:
        if self._sealer is not None:
            cached, _ttl = _read_sealed(self._redis, self._key, self._sealer)
            if cached == token:
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
        if ttl > 0 and self._sealer is not None:
            self._redis.set(self._key, self._sealer.encrypt(token), ex=max(1, int(ttl)))
        return self._remember(token, max(ttl, 0.0))


class RefreshTokenStore(Protocol):
    """Where a connection keeps its Visma Connect refresh token (the app's: the encrypted
    connection row). The clients never see the database: these three calls are all they get."""

    key: str
    """Identifies the connection; names the cached access token and the refresh lock."""

    def load(self) -> str | None:
        """The refresh token stored right now; None when there is none or the sign-in is lost."""
        ...

    def save(self, refresh_token: str) -> None:
        """Store a rotated refresh token at once (committed before returning)."""
        ...

    def lost(self) -> None:
        """Visma Connect refused the grant: the user must sign in again."""
        ...


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class VismaConnectTokens:
    """Access tokens for a Visma Connect sign-in, shared by every process through Redis.

    The access token is cached (encrypted) until ``token_margin`` seconds before it expires.
    A refresh runs under a Redis lock, one per connection: one-time refresh tokens work once,
    so a process that waited for the lock first looks for the access token the other one
    cached, and otherwise reads the refresh token stored now, never one it read before. The
    rotated refresh token is saved before the new access token is used or cached.
    """

    def __init__(
        self,
        store: RefreshTokenStore,
        connect: VismaConnect,
        *,
        redis: Any,
        sealer: Sealer,
        token_margin: float = 60.0,
        lock_seconds: float = 30.0,
    ) -> None:
        self.store = store
        self._connect = connect
        self._redis = redis
        self._sealer = sealer
        self._token_margin = token_margin
        self._lock_seconds = lock_seconds
        self._cache_key = access_token_key(store.key)
        self._token: str | None = None
        self._deadline = 0.0

    def token(self) -> str:
        if self._token and time.monotonic() < self._deadline:
            return self._token
        return self._cached() or self._refresh()

    def forget(self, token: str) -> None:
        if self._cached() == token:
            self._redis.delete(self._cache_key)
        self._token = None
        self._deadline = 0.0

    def secrets(self) -> tuple[str | None, ...]:
        return (self._token,)

    def _cached(self) -> str | None:
        token, ttl = _read_sealed(self._redis, self._cache_key, self._sealer)
        if token is None:
            return None
        self._token = token
        self._deadline = time.monotonic() + ttl
        return token

    def _refresh(self) -> str:
        lock = f"rackdinero:dinero:visma-refresh-lock:{self.store.key}"
        owner = random_tokens.token_hex(16)
        deadline = time.monotonic() + self._lock_seconds
        while not self._redis.set(lock, owner, nx=True, px=int(self._lock_seconds * 1000)):
            if time.monotonic() > deadline:
                raise Transient(message_code="dinero_sign_in_slow", may_have_succeeded=False)
            time.sleep(0.02)
        try:
            return self._cached() or self._exchange()
        finally:
            self._redis.eval(_RELEASE, 1, lock, owner)

    def _exchange(self) -> str:
        refresh_token = self.store.load()
        if not refresh_token:
            raise SignInRevoked()
        try:
            tokens = self._refreshed(refresh_token)
        except SignInRevoked:
            self.store.lost()
            raise
        if tokens.refresh_token and tokens.refresh_token != refresh_token:
            self.store.save(tokens.refresh_token)
        remember_access_token(
            self._redis, self.store.key, self._sealer, tokens, margin=self._token_margin
        )
        self._token = tokens.access_token
        self._deadline = time.monotonic() + max(tokens.expires_in - self._token_margin, 0.0)
        return tokens.access_token

    def _refreshed(self, refresh_token: str) -> Tokens:
        try:
            return self._connect.refresh(refresh_token)
        except Transient as error:
            if not error.may_have_succeeded:
                raise
        # The answer was lost: Visma may have used the token up. Asking again at once works
        # within Dinero's grace period for one-time tokens (5–60 s), and costs nothing otherwise.
        return self._connect.refresh(refresh_token)


class BearerToken:
    """One access token as it is (a sign-in's first look at what the token reaches); Dinero
    refusing it is final."""

    def __init__(self, access_token: str) -> None:
        self._token = access_token

    def token(self) -> str:
        return self._token

    def forget(self, token: str) -> None:
        return None

    def secrets(self) -> tuple[str | None, ...]:
        return (self._token,)


def access_token_key(store_key: str) -> str:
    """The Redis key of a connection's cached Visma Connect access token."""
    return f"rackdinero:dinero:visma-token:{store_key}"


def remember_access_token(
    redis: Any, store_key: str, sealer: Sealer, tokens: Tokens, *, margin: float = 60.0
) -> None:
    """Cache a fresh access token (encrypted) for every process, until ``margin`` seconds
    before it expires; the sign-in itself calls this with the token the code gave."""
    ttl = int(tokens.expires_in - margin)
    if ttl > 0:
        redis.set(access_token_key(store_key), sealer.encrypt(tokens.access_token), ex=ttl)
    else:
        redis.delete(access_token_key(store_key))


def _read_sealed(redis: Any, key: str, sealer: Sealer) -> tuple[str | None, int]:
    """A cached token and its seconds left; (None, 0) when there is none, it has (almost)
    expired, or no key reads it (sealed with a key since removed, or stored in clear by an
    older version): either way it is fetched again."""
    sealed = redis.get(key)
    ttl = redis.ttl(key) if sealed else -2
    if not sealed or ttl <= 0:
        return None, 0
    token = sealer.decrypt_or_none(_text(sealed))
    return (token, ttl) if token else (None, 0)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
