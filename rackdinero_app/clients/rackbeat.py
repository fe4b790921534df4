"""Rackbeat REST client: bearer auth with one-at-a-time token refresh, paging, typed errors.

The API contract is the one in DESIGN §2. Lists answer HTTP 206 with ``{<plural>, total,
pages, limit, page}`` (1-based pages, ``limit`` up to 1000); single records come under a
singular key; a 422 carries ``{"errors": {field: [messages]}}``.

Tokens, their refresh (one at a time across every process) and the two install contracts that
issue them are in ``clients/rackbeat_tokens.py``; every request names the consumer
(``Consumer-Name``, ``Consumer-Contact``, ``User-Agent``).

Given a ``limiter`` (``clients/ratelimit.py``, one bucket per Rackbeat account), every API
request waits for its turn, so all processes together stay under Rackbeat's rate limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
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
from rackdinero_app.clients.rackbeat_tokens import INTEGRATION
from rackdinero_app.clients.rackbeat_tokens import Consumer
from rackdinero_app.clients.rackbeat_tokens import RefreshTokenGrant
from rackdinero_app.clients.rackbeat_tokens import ReplaceCurrent
from rackdinero_app.clients.rackbeat_tokens import TokenKeeper
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

Record = dict[str, Any]


class RackbeatClient:
    """One Rackbeat account, reached with the connection's token (either install contract)."""

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
        contract: str = "oauth",
        consumer: Consumer | None = None,
        token_lifetime: timedelta = timedelta(days=7),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.consumer = consumer or Consumer()
        self._client_secret = client_secret
        self._timeout = timeout
        self._limiter = limiter
        if contract == INTEGRATION:
            refresher = ReplaceCurrent(
                self.base_url, self.consumer, self._error, token_lifetime, timeout
            )
        elif client_id and client_secret:
            refresher = RefreshTokenGrant(
                self.base_url, client_id, client_secret, self.consumer, self._error, timeout
            )
        else:
            refresher = None
        self._keeper = TokenKeeper(
            tokens, refresher, redis, margin=refresh_margin, lock_seconds=lock_seconds
        )

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], tokens: TokenStore, *, contract: str = "oauth", **options
    ) -> RackbeatClient:
        """A client for the app's configuration (``RACKBEAT_*``): URLs, credentials, consumer."""
        return cls(
            config["RACKBEAT_BASE_URL"],
            tokens,
            client_id=config["RACKBEAT_CLIENT_ID"],
            client_secret=config["RACKBEAT_CLIENT_SECRET"],
            contract=contract,
            consumer=consumer(config),
            token_lifetime=timedelta(days=float(config["RACKBEAT_TOKEN_REPLACE_DAYS"])),
            **options,
        )

    def __repr__(self) -> str:
        return f"RackbeatClient(base_url={self.base_url!r}, connection={self.tokens.key!r})"

    def replace_token(self) -> TokenPair:
        """Replace the stored token now (the periodic job), unless another process just did."""
        return self._keeper.refresh(self.tokens.load())

    # -- transport ---------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one request and return its JSON answer (``None`` for an empty body)."""
        response = self._send(method, path, params=params, json=json)
        if not response.ok:
            raise self._error(response)
        return response.json() if response.content.strip() else None

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
        accept: str = "application/json",
    ) -> requests.Response:
        """Send one request; on 401 refresh the token and try once more."""
        pair = self._keeper.current()
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
                    "Accept": accept,
                    "Authorization": f"Bearer {pair.access_token}",
                    **self.consumer.headers(),
                },
            )
            if response.status_code == 401 and not refreshed and self._keeper.can_refresh:
                refreshed = True
                pair = self._keeper.refresh(pair)
                continue
            return response

    def _error(self, response: requests.Response) -> ClientError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        secrets_ = (self._client_secret, *self._keeper.secrets())
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
        for items in self.list_pages(resource, params, limit):
            yield from items

    def list_pages(
        self, resource: str, params: Mapping[str, Any], limit: int = MAX_LIMIT
    ) -> Iterator[list[Record]]:
        """A list page by page, one request each: for a reader that counts its requests or
        stops early (``order_by``/``order_direction`` sort it)."""
        plural, _ = RESOURCES[resource]
        size = max(1, min(limit, MAX_LIMIT))
        page = 1
        while True:
            result = self._call("GET", resource, params={**params, "page": page, "limit": size})
            items = result.get(plural) or []
            yield items
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

    def supplier_invoice_pdf(self, number: str | int) -> bytes | None:
        """The supplier invoice's PDF (``supplier-invoices/{number}.pdf``), or ``None`` when
        Rackbeat has no document for it (404); the app then renders one itself."""
        path = f"supplier-invoices/{_segment(number)}.pdf"
        response = self._send("GET", path, accept="application/pdf")
        if response.status_code == 404:
            return None
        if not response.ok:
            raise self._error(response)
        return response.content


def consumer(config: Mapping[str, Any]) -> Consumer:
    """The consumer the app names on every Rackbeat request (``RACKBEAT_CONSUMER_*``)."""
    return Consumer(config["RACKBEAT_CONSUMER_NAME"], config.get("RACKBEAT_CONSUMER_CONTACT"))


def _segment(key: str | int) -> str:
    # Record numbers may contain characters that are special in a URL path.
    return quote(str(key), safe="")
