"""Rackbeat REST client: bearer auth with one-at-a-time token refresh, paging, typed errors.

The API contract is the one in DESIGN §2. Lists answer HTTP 206 with ``{<plural>, total,
pages, limit, page}`` (1-based pages, ``limit`` up to 1000); single records come under a
singular key; a 422 carries ``{"errors": {field: [messages]}}``.

Refresh tokens rotate and work once. Only one refresh per connection may run at a time, across
every process: a Redis lock serializes them, and whoever gets the lock first re-reads the stored
pair, because another process may already have refreshed it.

Given a ``limiter`` (``clients/ratelimit.py``, one bucket per Rackbeat account), every API
request waits for its turn, so all processes together stay under Rackbeat's rate limit.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import requests

from rackdinero_app.clients import http
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.clients.errors import redact
from rackdinero_app.clients.ratelimit import RateLimiter
from rackdinero_app.clients.tokens import TokenPair
from rackdinero_app.clients.tokens import TokenStore

SERVICE = "Rackbeat"
MAX_LIMIT = 1000

# path segment -> (key of a list, key of one record)
RESOURCES = {
    "customers": ("customers", "customer"),
    "suppliers": ("suppliers", "supplier"),
    "products": ("products", "product"),
    "product-groups": ("product_groups", "product_group"),
    "units": ("units", "unit"),
    "layouts": ("layouts", "layout"),
    "payment-terms": ("payment_terms", "payment_term"),
    "customer-invoices": ("customer_invoices", "customer_invoice"),
    "supplier-invoices": ("supplier_invoices", "supplier_invoice"),
    "webhooks": ("webhooks", "webhook"),
}

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

Record = dict[str, Any]


class RackbeatClient:
    """One Rackbeat account, reached with the connection's OAuth tokens."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenStore,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        redis: Any = None,
        refresh_margin: float = 60.0,
        lock_seconds: float = 60.0,
        timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT),
        limiter: RateLimiter | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self._client_id = client_id
        self._client_secret = client_secret
        self._redis = redis
        self._refresh_margin = refresh_margin
        self._lock_seconds = lock_seconds
        self._timeout = timeout
        self._limiter = limiter
        self._pair: TokenPair | None = None

    def __repr__(self) -> str:
        return f"RackbeatClient(base_url={self.base_url!r}, connection={self.tokens.key!r})"

    # -- tokens ------------------------------------------------------------------------------

    @property
    def _can_refresh(self) -> bool:
        return bool(self._client_id and self._client_secret and self._redis is not None)

    def _current_pair(self) -> TokenPair:
        if self._pair is None:
            self._pair = self.tokens.load()
        if self._can_refresh and self._pair.expires_within(self._refresh_margin):
            self._pair = self._refresh(self._pair)
        return self._pair

    def _refresh(self, stale: TokenPair) -> TokenPair:
        """Replace ``stale``, unless another process already did; one refresh at a time."""
        lock = f"rackdinero:rackbeat:refresh-lock:{self.tokens.key}"
        owner = secrets.token_hex(16)
        deadline = time.monotonic() + self._lock_seconds
        while not self._redis.set(lock, owner, nx=True, px=int(self._lock_seconds * 1000)):
            if time.monotonic() > deadline:
                raise Transient(message_code="rackbeat_refresh_slow")
            time.sleep(0.02)
        try:
            current = self.tokens.load()
            if current.access_token != stale.access_token and not current.expires_within(
                self._refresh_margin
            ):
                return current
            if not current.refresh_token:
                raise AuthFailed(message_code="rackbeat_reinstall", status=401)
            fresh = self._exchange(current)
            self.tokens.save(fresh)
            return fresh
        finally:
            self._redis.eval(_RELEASE, 1, lock, owner)

    def _exchange(self, current: TokenPair) -> TokenPair:
        response = http.send(
            "POST",
            f"{self.base_url}/oauth/token",
            service=SERVICE,
            timeout=self._timeout,
            data={
                "grant_type": "refresh_token",
                "refresh_token": current.refresh_token,
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
            headers={"Accept": "application/json"},
        )
        if response.status_code in (400, 401, 403):
            raise AuthFailed(message_code="rackbeat_reinstall", status=response.status_code)
        if not response.ok:
            raise self._error(response)
        payload = response.json()
        expires_in = payload.get("expires_in")
        return TokenPair(
            access_token=payload["access_token"],
            refresh_token=payload.get("refresh_token") or current.refresh_token,
            expires_at=(
                datetime.now(UTC) + timedelta(seconds=float(expires_in))
                if expires_in is not None
                else None
            ),
        )

    # -- transport ---------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one request; on 401 refresh the token and try once more."""
        pair = self._current_pair()
        refreshed = False
        while True:
            if self._limiter is not None:
                self._limiter.acquire()
            response = http.send(
                method,
                f"{self.base_url}/api/{path}",
                service=SERVICE,
                timeout=self._timeout,
                params={k: v for k, v in (params or {}).items() if v is not None},
                json=None if json is None else dict(json),
                headers={
                    "Accept": "application/json",
                    "Authorization": f"Bearer {pair.access_token}",
                },
            )
            if response.status_code == 401 and not refreshed and self._can_refresh:
                refreshed = True
                pair = self._pair = self._refresh(pair)
                continue
            if not response.ok:
                raise self._error(response)
            return response.json() if response.content.strip() else None

    def _error(self, response: requests.Response) -> ClientError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        secrets_ = (
            self._client_secret,
            self._pair.access_token if self._pair else None,
            self._pair.refresh_token if self._pair else None,
        )
        if status == 422:
            fields = body.get("errors") if isinstance(body.get("errors"), dict) else {}
            return ValidationFailed.from_fields(SERVICE, fields, secrets_, status=status)
        service = {"service": SERVICE}
        if status == 401:
            return AuthFailed(message_code="rackbeat_reinstall", status=status)
        if status == 403:
            return AuthFailed(message_code="rackbeat_forbidden", status=status)
        if status == 404:
            return NotFound(message_code="not_found_in", params=service, status=status)
        if status == 429:
            return RateLimited(
                message_code="rackbeat_rate_limited",
                retry_after=http.retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status >= 500:
            return Transient(
                message_code="server_error", params={**service, "status": status}, status=status
            )
        text = redact(str(body.get("message") or ""), secrets_)
        return ClientError(
            message_code="http_status_text" if text else "http_status",
            params={**service, "status": status, "text": text},
            status=status,
        )

    # -- generic resource operations -----------------------------------------------------------

    def _pages(self, resource: str, params: Mapping[str, Any], limit: int) -> Iterator[Record]:
        """Every record of a list, one page in memory at a time (pages are 1-based)."""
        plural, _ = RESOURCES[resource]
        size = max(1, min(limit, MAX_LIMIT))
        page = 1
        while True:
            result = self._call("GET", resource, params={**params, "page": page, "limit": size})
            items = result.get(plural) or []
            yield from items
            if not items or page >= int(result.get("pages") or page):
                return
            page += 1

    def _get(self, resource: str, key: str | int) -> Record:
        _, singular = RESOURCES[resource]
        return self._call("GET", f"{resource}/{_segment(key)}")[singular]

    def _write(
        self,
        method: str,
        resource: str,
        fields: Mapping[str, Any],
        key: str | int | None = None,
        action: str | None = None,
    ) -> Record:
        # The app never reacts to its own writes (DESIGN §2), so every write suppresses webhooks.
        _, singular = RESOURCES[resource]
        path = "/".join(
            part for part in (resource, None if key is None else _segment(key), action) if part
        )
        result = self._call(method, path, params={"suppress_webhooks": "true"}, json=fields)
        return result[singular]

    # -- account and plugin ------------------------------------------------------------------

    def get_self(self) -> Record:
        """``GET /api/self``: ``{user_account: {id, company_name, ...}, user: {...}}``."""
        return self._call("GET", "self")

    def set_settings_url(self, slug: str, settings_url: str) -> None:
        """Tell Rackbeat which URL to show in its iframe for the app's settings."""
        self._call(
            "POST",
            f"plugins/{_segment(slug)}/set-settings-url",
            json={"settings_url": settings_url},
        )

    # -- webhooks ----------------------------------------------------------------------------

    def create_webhook(self, event: str, url: str, *, is_active: bool = True) -> Record:
        """Register (or update) a webhook; the answer's ``token`` is only given now."""
        result = self._call(
            "POST", "webhooks", json={"event": event, "url": url, "is_active": is_active}
        )
        return result["webhook"]

    def iter_webhooks(
        self, *, event: str | None = None, limit: int = MAX_LIMIT
    ) -> Iterator[Record]:
        return self._pages("webhooks", {"event": event}, limit)

    def delete_webhook(self, webhook_id: int) -> None:
        self._call("DELETE", f"webhooks/{_segment(webhook_id)}")

    # -- customers, suppliers, products ---------------------------------------------------------

    def iter_customers(self, *, limit: int = MAX_LIMIT, **filters: Any) -> Iterator[Record]:
        return self._pages("customers", filters, limit)

    def get_customer(self, number: str | int) -> Record:
        return self._get("customers", number)

    def create_customer(self, fields: Mapping[str, Any]) -> Record:
        return self._write("POST", "customers", fields)

    def update_customer(self, number: str | int, fields: Mapping[str, Any]) -> Record:
        return self._write("PUT", "customers", fields, number)

    def iter_suppliers(self, *, limit: int = MAX_LIMIT, **filters: Any) -> Iterator[Record]:
        return self._pages("suppliers", filters, limit)

    def get_supplier(self, number: str | int) -> Record:
        return self._get("suppliers", number)

    def create_supplier(self, fields: Mapping[str, Any]) -> Record:
        return self._write("POST", "suppliers", fields)

    def update_supplier(self, number: str | int, fields: Mapping[str, Any]) -> Record:
        return self._write("PUT", "suppliers", fields, number)

    def iter_products(self, *, limit: int = MAX_LIMIT, **filters: Any) -> Iterator[Record]:
        return self._pages("products", filters, limit)

    def get_product(self, number: str | int) -> Record:
        return self._get("products", number)

    def create_product(self, fields: Mapping[str, Any]) -> Record:
        return self._write("POST", "products", fields)

    def update_product(self, number: str | int, fields: Mapping[str, Any]) -> Record:
        return self._write("PUT", "products", fields, number)

    # -- reference data ----------------------------------------------------------------------

    def iter_product_groups(self, *, limit: int = MAX_LIMIT) -> Iterator[Record]:
        return self._pages("product-groups", {}, limit)

    def get_product_group(self, number: str | int) -> Record:
        return self._get("product-groups", number)

    def iter_units(self, *, limit: int = MAX_LIMIT) -> Iterator[Record]:
        return self._pages("units", {}, limit)

    def get_unit(self, number: str | int) -> Record:
        return self._get("units", number)

    def iter_layouts(self, *, limit: int = MAX_LIMIT) -> Iterator[Record]:
        return self._pages("layouts", {}, limit)

    def get_layout(self, number: str | int) -> Record:
        return self._get("layouts", number)

    def iter_payment_terms(self, *, limit: int = MAX_LIMIT) -> Iterator[Record]:
        return self._pages("payment-terms", {}, limit)

    # -- invoices ----------------------------------------------------------------------------

    def iter_customer_invoices(self, *, limit: int = MAX_LIMIT, **filters: Any) -> Iterator[Record]:
        return self._pages("customer-invoices", filters, limit)

    def get_customer_invoice(self, number: str | int) -> Record:
        return self._get("customer-invoices", number)

    def create_customer_invoice(self, fields: Mapping[str, Any]) -> Record:
        return self._write("POST", "customer-invoices", fields)

    def book_customer_invoice(self, number: str | int) -> Record:
        return self._write("POST", "customer-invoices", {}, number, "book")

    def iter_supplier_invoices(self, *, limit: int = MAX_LIMIT, **filters: Any) -> Iterator[Record]:
        return self._pages("supplier-invoices", filters, limit)

    def get_supplier_invoice(self, number: str | int) -> Record:
        return self._get("supplier-invoices", number)

    def create_supplier_invoice(self, fields: Mapping[str, Any]) -> Record:
        return self._write("POST", "supplier-invoices", fields)

    def book_supplier_invoice(self, number: str | int) -> Record:
        return self._write("POST", "supplier-invoices", {}, number, "book")


def _segment(key: str | int) -> str:
    # Record numbers may contain characters that are special in a URL path.
    return quote(str(key), safe="")
