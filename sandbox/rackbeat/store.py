"""In-memory state of the sandbox: accounts and their records, OAuth grants, webhooks, knobs.

Everything lives behind one re-entrant lock; views hold it for the whole read or write so a
request sees one consistent state.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import Any

from sandbox.rackbeat.config import AppRegistration
from sandbox.rackbeat.delivery import Outbox
from sandbox.rackbeat.knobs import Knobs

RESOURCES = (
    "customers",
    "suppliers",
    "products",
    "product_groups",
    "units",
    "layouts",
    "payment_terms",
    "customer_invoices",
    "supplier_invoices",
)


@dataclass
class User:
    id: int
    account_id: int
    name: str
    email: str
    locale: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email}


@dataclass
class Installation:
    """An app installed on an account; ``settings_url`` is set by the app through the API.
    ``contract`` is how it was installed: "oauth" (catalogue OAuth) or "integration"
    (Rackbeat's integration request, whose settings URL is framed as it is)."""

    slug: str
    user_id: int
    installed_at: float
    settings_url: str | None = None
    contract: str = "oauth"


@dataclass
class IntegrationRequest:
    """Install of an integration-request app: a single-use token the app accepts or cancels."""

    token: str
    slug: str
    account_id: int
    user_id: int
    expires_at: float
    answered: str | None = None  # "accepted" or "cancelled"


@dataclass
class Account:
    id: int
    company_name: str
    address_street: str
    address_zipcode: str
    address_city: str
    address_country: str
    company_vat: str
    currency: str = "DKK"
    users: list[int] = field(default_factory=list)
    records: dict[str, dict[Any, dict[str, Any]]] = field(
        default_factory=lambda: {name: {} for name in RESOURCES}
    )
    next_line_id: int = 1
    installations: dict[str, Installation] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "company_name": self.company_name,
            "company_vat": self.company_vat,
            "address_street": self.address_street,
            "address_zipcode": self.address_zipcode,
            "address_city": self.address_city,
            "address_country": self.address_country,
            "currency": self.currency,
        }


@dataclass
class AuthorizationRequest:
    """A validated /oauth/authorize request waiting for the user's Allow or Cancel."""

    id: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    code_challenge: str
    account_id: int
    user_id: int
    expires_at: float


@dataclass
class AuthorizationCode:
    code: str
    grant_id: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str
    account_id: int
    user_id: int
    expires_at: float
    used: bool = False


@dataclass
class Token:
    """An access or refresh token. ``grant_id`` ties every token back to its authorization code."""

    value: str
    grant_id: str
    client_id: str
    account_id: int
    user_id: int
    scopes: tuple[str, ...]
    expires_at: float | None
    used: bool = False
    revoked: bool = False


@dataclass
class Webhook:
    id: int
    account_id: int
    plugin: str
    event: str
    url: str
    is_active: bool
    token: str
    created_at: str
    updated_at: str
    failures_since_last_success: int = 0

    def as_dict(self, *, with_token: bool = False) -> dict[str, Any]:
        body = {
            "id": self.id,
            "event": self.event,
            "url": self.url,
            "is_active": self.is_active,
            "plugin": self.plugin,
            "failures_since_last_success": self.failures_since_last_success,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if with_token:
            body["token"] = self.token
        return body


class Store:
    """All sandbox state. Call ``reset()`` to go back to the seed."""

    def __init__(self, registration: AppRegistration, default_knobs: Knobs) -> None:
        self.lock = threading.RLock()
        self.registration = registration
        self.default_knobs = default_knobs
        self.outbox = Outbox(self)
        self.reset()

    def reset(self) -> None:
        from sandbox.rackbeat import seed

        with self.lock:
            self.outbox.clear()
            self.knobs = replace(self.default_knobs)
            self.random = random.Random(self.knobs.seed)
            self.accounts: dict[int, Account] = {}
            self.users: dict[int, User] = {}
            self.authorization_requests: dict[str, AuthorizationRequest] = {}
            self.codes: dict[str, AuthorizationCode] = {}
            self.access_tokens: dict[str, Token] = {}
            self.refresh_tokens: dict[str, Token] = {}
            self.webhooks: dict[int, Webhook] = {}
            self.integration_requests: dict[str, IntegrationRequest] = {}
            # What each machine request said about its caller (Consumer-Name and friends).
            self.consumer_log: deque[dict[str, Any]] = deque(maxlen=5000)
            self.api_calls: dict[str, deque[float]] = {}
            self.api_requests: Counter[int] = Counter()
            self.api_refused: Counter[int] = Counter()
            self._counters: dict[str, int] = {}
            seed.populate(self)

    def set_knobs(self, values: dict[str, Any]) -> None:
        with self.lock:
            self.knobs = replace(self.knobs, **values)
            if "seed" in values:
                self.random = random.Random(values["seed"])

    def now(self) -> float:
        """The sandbox clock: wall time shifted by the ``clock_offset_seconds`` knob."""
        return time.time() + self.knobs.clock_offset_seconds

    def timestamp(self) -> str:
        return datetime.fromtimestamp(self.now(), UTC).isoformat(timespec="seconds")

    def next_id(self, kind: str, start: int = 1) -> int:
        with self.lock:
            value = self._counters.get(kind, start)
            self._counters[kind] = value + 1
            return value

    def chance(self, rate: float) -> bool:
        with self.lock:
            return rate > 0 and self.random.random() < rate

    def account(self, account_id: int) -> Account | None:
        return self.accounts.get(account_id)

    def first_user(self, account: Account) -> User:
        return self.users[account.users[0]]

    def add_account(self, account: Account, user: User) -> None:
        with self.lock:
            self.accounts[account.id] = account
            self.users[user.id] = user
            account.users.append(user.id)

    def webhooks_for(self, account_id: int, event: str | None = None) -> list[Webhook]:
        return [
            hook
            for hook in self.webhooks.values()
            if hook.account_id == account_id and (event is None or hook.event == event)
        ]

    def revoke_grant(self, grant_id: str) -> None:
        """Revoke every token issued from one authorization code (RFC 6749 §4.1.2)."""
        with self.lock:
            for token in (*self.access_tokens.values(), *self.refresh_tokens.values()):
                if token.grant_id == grant_id:
                    token.revoked = True

    def revoke_account_tokens(self, account_id: int, client_id: str) -> None:
        with self.lock:
            for token in (*self.access_tokens.values(), *self.refresh_tokens.values()):
                if token.account_id == account_id and token.client_id == client_id:
                    token.revoked = True
            for code in self.codes.values():
                if code.account_id == account_id and code.client_id == client_id:
                    code.used = True
