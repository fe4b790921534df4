"""The Rackbeat token pair and where it is kept.

Contract A's refresh tokens rotate and work once, and contract B's ``replace-current`` makes
the old access token stop working, so the pair must be saved atomically and read fresh:
``TokenStore.load`` must return what is stored now (not a cached copy), because another process
may have refreshed in the meantime. A contract-B pair has no refresh token, and its
``expires_at`` is when the app replaces it (Rackbeat does not say when it expires).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Protocol


@dataclass(frozen=True)
class TokenPair:
    """An access token, the refresh token that replaces it, and when the access token expires."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None

    def expires_within(self, seconds: float) -> bool:
        """Whether the access token expires in less than ``seconds`` (unknown expiry: never)."""
        if self.expires_at is None:
            return False
        return self.expires_at - datetime.now(UTC) < timedelta(seconds=seconds)


class TokenStore(Protocol):
    """Where a connection's token pair lives (the app's is the encrypted connection row)."""

    key: str
    """Identifies the connection; names the Redis lock that serializes its refreshes."""

    def load(self) -> TokenPair:
        """The pair stored right now."""
        ...

    def save(self, pair: TokenPair) -> None:
        """Store a freshly exchanged pair, atomically (commit before returning)."""
        ...


class MemoryTokenStore:
    """A ``TokenStore`` held in memory: for one process, a fresh install, scripts and tests."""

    def __init__(self, key: str, pair: TokenPair) -> None:
        self.key = key
        self._pair = pair

    def load(self) -> TokenPair:
        return self._pair

    def save(self, pair: TokenPair) -> None:
        self._pair = pair
