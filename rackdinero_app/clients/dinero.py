"""Dinero REST client: token, rate limit, paging, typed errors, one method per operation.

Every method maps one operation of Dinero's OpenAPI document (the subset the app uses) and uses
its exact path and version segment. Responses come back as case-insensitive ``Record``s,
because Dinero's key casing depends on the ``fields`` parameter. Request bodies spell the
version stamp ``Timestamp``; responses spell it ``TimeStamp`` (a ``Record`` reads either).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Literal
from urllib.parse import quote

import requests

from rackdinero_app.clients import http
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import ClientError
from rackdinero_app.clients.errors import NotDineroPro
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import StaleTimestamp
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.clients.errors import redact
from rackdinero_app.clients.ratelimit import RateLimiter
from rackdinero_app.clients.records import Record
from rackdinero_app.clients.records import wrap

SERVICE = "Dinero"
MAX_PAGE_SIZE = 1000
NOT_FOUND_CODES = {40, 63, 65}
STALE_TIMESTAMP_CODE = 58
NO_PRO_CODES = {48, 90}
_PRO_WORDS = re.compile(r"\bpro\b", re.IGNORECASE)

Body = Mapping[str, Any]


def _date_param(value: datetime | str | None) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _filter_value(value: str) -> str:
    # Dinero's queryFilter has no documented escape for quotes, so refuse rather than guess.
    if "'" in value:
        raise ValueError("a queryFilter value cannot contain a single quote")
    return value


@dataclass(frozen=True)
class SalesFilter:
    """The filters Dinero's invoice, sales and credit-note lists share (dates are YYYY-MM-DD)."""

    fields: str | None = None
    query_filter: str | None = None
    status_filter: str | None = None
    changes_since: datetime | str | None = None
    start_date: str | None = None
    end_date: str | None = None
    free_text_search: str | None = None
    deleted_only: bool = False
    sort: str | None = None
    sort_order: str | None = None

    def params(self) -> dict[str, Any]:
        return {
            "fields": self.fields,
            "queryFilter": self.query_filter,
            "statusFilter": self.status_filter,
            "changesSince": _date_param(self.changes_since),
            "startDate": self.start_date,
            "endDate": self.end_date,
            "freeTextSearch": self.free_text_search,
            "deletedOnly": str(self.deleted_only).lower(),
            "sort": self.sort,
            "sortOrder": self.sort_order,
        }


class DineroClient:
    """One Dinero organization, reached with the app's client id/secret and the user's API key."""

    def __init__(
        self,
        organization_id: int,
        api_key: str,
        *,
        client_id: str,
        client_secret: str,
        api_url: str,
        auth_url: str,
        redis: Any,
        rate_limit: int = 100,
        rate_window: float = 60.0,
        max_wait: float = 30.0,
        token_margin: float = 60.0,
        timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT),
    ) -> None:
        self.organization_id = int(organization_id)
        self._api_key = api_key
        self._client_id = client_id
        self._client_secret = client_secret
        self.api_url = api_url.rstrip("/")
        self.auth_url = auth_url.rstrip("/")
        self._redis = redis
        self._token_margin = token_margin
        self._timeout = timeout
        self.limiter = RateLimiter(
            redis,
            f"rackdinero:dinero:ratelimit:{self.organization_id}",
            limit=rate_limit,
            window=rate_window,
            max_wait=max_wait,
        )
        fingerprint = hashlib.sha256(f"{client_id}:{api_key}".encode()).hexdigest()[:24]
        self._token_key = f"rackdinero:dinero:token:{self.organization_id}:{fingerprint}"
        self._token: str | None = None
        self._token_deadline = 0.0

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], organization_id: int, api_key: str, redis: Any
    ) -> DineroClient:
        """A client built from the app's ``DINERO_*`` settings."""
        return cls(
            organization_id,
            api_key,
            client_id=config["DINERO_CLIENT_ID"],
            client_secret=config["DINERO_CLIENT_SECRET"],
            api_url=config["DINERO_API_URL"],
            auth_url=config["DINERO_AUTH_URL"],
            redis=redis,
            rate_limit=config.get("DINERO_RATE_LIMIT", 100),
            rate_window=config.get("DINERO_RATE_WINDOW", 60.0),
            timeout=(
                http.CONNECT_TIMEOUT,
                float(config.get("DINERO_READ_TIMEOUT", http.READ_TIMEOUT)),
            ),
        )

    def __repr__(self) -> str:
        return f"DineroClient(organization_id={self.organization_id}, api_url={self.api_url!r})"

    # -- transport ---------------------------------------------------------------------------

    def _secrets(self) -> tuple[str | None, ...]:
        return (self._api_key, self._client_secret, self._token)

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_deadline:
            return self._token
        cached = self._redis.get(self._token_key)
        ttl = self._redis.ttl(self._token_key) if cached else -2
        if cached and ttl > 0:
            self._remember(cached.decode() if isinstance(cached, bytes) else cached, ttl)
            return self._token  # type: ignore[return-value]
        return self._fetch_token()

    def _remember(self, token: str, ttl: float) -> None:
        self._token = token
        self._token_deadline = time.monotonic() + ttl

    def _fetch_token(self) -> str:
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
            raise AuthFailed(
                "Dinero refused the app's client credentials. Contact the app's support.",
                status=401,
            )
        if response.status_code in (400, 403):
            raise AuthFailed(
                "Dinero did not accept the API key. Create a new API key in Dinero and enter it "
                "in the app's settings.",
                status=response.status_code,
            )
        if not response.ok:
            raise self._error(response)
        payload = response.json()
        token = payload["access_token"]
        ttl = float(payload.get("expires_in", 3600)) - self._token_margin
        if ttl > 0:
            self._redis.set(self._token_key, token, ex=max(1, int(ttl)))
        self._remember(token, max(ttl, 0.0))
        return token

    def _drop_token(self, token: str) -> None:
        cached = self._redis.get(self._token_key)
        if (
            cached is not None
            and (cached.decode() if isinstance(cached, bytes) else cached) == token
        ):
            self._redis.delete(self._token_key)
        self._token = None
        self._token_deadline = 0.0

    def _url(self, version: str, path: str, *, organization: bool = True) -> str:
        scope = f"/{self.organization_id}" if organization else ""
        return f"{self.api_url}/{version}{scope}/{path}"

    def _call(
        self,
        method: str,
        version: str,
        path: str,
        *,
        json: Body | None = None,
        params: Mapping[str, Any] | None = None,
        organization: bool = True,
        binary: bool = False,
    ) -> Any:
        """Send one operation; refresh the token once on 401 and wait once on 429."""
        url = self._url(version, path, organization=organization)
        query = {key: value for key, value in (params or {}).items() if value is not None}
        headers = {"Accept": "application/octet-stream" if binary else "application/json"}
        retried_auth = retried_rate = False
        while True:
            # The token first: a token fetch between the bucket and the API would delay the send.
            token = self._access_token()
            self.limiter.acquire()
            response = http.send(
                method,
                url,
                service=SERVICE,
                timeout=self._timeout,
                params=query,
                json=None if json is None else dict(json),
                headers={**headers, "Authorization": f"Bearer {token}"},
            )
            if response.status_code == 401 and not retried_auth:
                retried_auth = True
                self._drop_token(token)
                continue
            if response.status_code == 429 and not retried_rate:
                retried_rate = True
                wait = http.retry_after_seconds(response.headers.get("Retry-After"))
                wait = self.limiter.window / 10 if wait is None else wait
                if wait <= self.limiter.max_wait:
                    time.sleep(wait)
                    continue
            if not response.ok:
                raise self._error(response)
            if binary:
                return response.content
            if not response.content.strip():
                return None
            return wrap(response.json())

    def _error(self, response: requests.Response) -> ClientError:
        status = response.status_code
        body: Any = None
        if "json" in response.headers.get("Content-Type", ""):
            try:
                body = response.json()
            except ValueError:
                body = None
        body = body if isinstance(body, dict) else {}
        code = body.get("code") if isinstance(body.get("code"), int) else None
        text = redact(str(body.get("message") or body.get("error") or ""), self._secrets())
        if status == 404 or code in NOT_FOUND_CODES:
            return NotFound(
                "The record was not found in Dinero. It may have been deleted there.",
                status=status,
                code=code,
            )
        if status == 400 and code == STALE_TIMESTAMP_CODE:
            return StaleTimestamp(status=status, code=code)
        if status in (400, 413, 422):
            return self._validation_error(body, text, status, code)
        if status == 401:
            return AuthFailed(
                "Dinero refused the app's access. Create a new API key in Dinero and enter it in "
                "the app's settings.",
                status=status,
                code=code,
            )
        if status == 403:
            if code in NO_PRO_CODES or _PRO_WORDS.search(text):
                return NotDineroPro(status=status, code=code)
            return AuthFailed(
                "Dinero refused access to this organization. Check that the API key belongs to "
                "the organization set up in the app.",
                status=status,
                code=code,
            )
        if status == 429:
            return RateLimited(
                "Dinero asked the app to slow down (too many requests per minute). "
                "The transfer is retried shortly.",
                retry_after=http.retry_after_seconds(response.headers.get("Retry-After")),
                code=code,
            )
        if status == 480 or status >= 500:
            return Transient(
                f"Dinero had a temporary problem (HTTP {status}). The transfer is retried later.",
                status=status,
                code=code,
            )
        return ClientError(
            f"Dinero answered HTTP {status}{': ' + text if text else ''}.", status=status, code=code
        )

    def _validation_error(
        self, body: Mapping[str, Any], text: str, status: int, code: int | None
    ) -> ValidationFailed:
        fields: dict[str, str | list[str]] = {}
        raw = body.get("validationErrors")
        if isinstance(raw, dict):
            fields.update({str(key): value for key, value in raw.items()})
        for item in body.get("languageSpecificMessages") or []:
            if isinstance(item, dict) and item.get("property") and item.get("message"):
                fields.setdefault(str(item["property"]), str(item["message"]))
        secrets = self._secrets()
        fields = {
            redact(key, secrets): (
                [redact(str(m), secrets) for m in value]
                if isinstance(value, list)
                else redact(str(value), secrets)
            )
            for key, value in fields.items()
        }
        details = "; ".join(
            f"{key}: {' '.join(value) if isinstance(value, list) else value}"
            for key, value in fields.items()
        )
        message = "Dinero rejected the data"
        message += f" ({details})." if details else (f": {text}." if text else ".")
        return ValidationFailed(message, field_errors=fields, status=status, code=code)

    def _pages(self, version: str, path: str, params: Mapping[str, Any], page_size: int):
        """Every item of a paged list, one page in memory at a time (pages are 0-based)."""
        size = max(1, min(page_size, MAX_PAGE_SIZE))
        page = 0
        while True:
            result = self._call(
                "GET", version, path, params={**params, "page": page, "pageSize": size}
            )
            items = result["Collection"] if result else []
            yield from items
            pagination = result["Pagination"] if result and "Pagination" in result else {}
            returned = pagination.get("Result", len(items))
            served = pagination.get("PageSize", size)
            if not items or returned < served:
                return
            page += 1

    # -- organizations -----------------------------------------------------------------------

    def organizations(self, *, fields: str | None = None) -> list[Record]:
        """``GET /v1/organizations``: the organizations the API key can reach."""
        return self._call(
            "GET", "v1", "organizations", params={"fields": fields}, organization=False
        )

    def organizations_with_subscription(self) -> list[Record]:
        """``GET /v1.1/organizations``: the same, with each one's ``Subscription`` flags."""
        return self._call("GET", "v1.1", "organizations", organization=False)

    def is_pro(self) -> bool:
        """Whether this organization has Dinero Pro, which every other call requires."""
        for organization in self.organizations(fields="id,name,isPro"):
            if int(organization["Id"]) == self.organization_id:
                return bool(organization["IsPro"])
        raise NotFound(
            f"The API key does not give access to Dinero organization {self.organization_id}. "
            "Check the organization id and the API key."
        )

    # -- accounts and VAT --------------------------------------------------------------------

    def entry_accounts(
        self, *, fields: str | None = None, category_filter: str | None = None
    ) -> list[Record]:
        return self._call(
            "GET",
            "v1",
            "accounts/entry",
            params={"fields": fields, "categoryFilter": category_filter},
        )

    def create_entry_account(self, account: Body) -> None:
        self._call("POST", "v1", "accounts/entry", json=account)

    def purchase_accounts(self, *, fields: str | None = None) -> list[Record]:
        return self._call("GET", "v1", "accounts/purchase", params={"fields": fields})

    def deposit_accounts(self, *, fields: str | None = None) -> list[Record]:
        return self._call("GET", "v1", "accounts/deposit", params={"fields": fields})

    def create_deposit_account(self, account: Body) -> None:
        self._call("POST", "v1", "accounts/deposit", json=account)

    def vat_types(self) -> list[Record]:
        return self._call("GET", "v1", "vatTypes")

    # -- contacts ----------------------------------------------------------------------------

    def iter_contacts(
        self,
        *,
        fields: str | None = None,
        query_filter: str | None = None,
        changes_since: datetime | str | None = None,
        deleted_only: bool = False,
        page_size: int = MAX_PAGE_SIZE,
        version: Literal["v1", "v2"] = "v2",
    ) -> Iterator[Record]:
        """Every contact (customers and suppliers alike), streamed page by page."""
        params = {
            "fields": fields,
            "queryFilter": query_filter,
            "changesSince": _date_param(changes_since),
            "deletedOnly": str(deleted_only).lower(),
        }
        return self._pages(version, "contacts", params, page_size)

    def get_contact(self, guid: str) -> Record:
        return self._call("GET", "v1", f"contacts/{quote(guid)}")

    def create_contact(self, contact: Body) -> Record:
        """Create a contact (the caller may choose ``ContactGuid``); returns it."""
        return self._call("POST", "v1", "contacts", json=contact)

    def update_contact(
        self, guid: str, contact: Body, *, version: Literal["v1", "v2"] = "v2"
    ) -> None:
        """Replace a contact (v1 is deprecated by Dinero and kept only for completeness)."""
        self._call("PUT", version, f"contacts/{quote(guid)}", json=contact)

    def delete_contact(self, guid: str) -> None:
        self._call("DELETE", "v1", f"contacts/{quote(guid)}")

    def restore_contact(self, guid: str) -> None:
        self._call("POST", "v1", f"contacts/{quote(guid)}/restore")

    def find_contact(self, external_reference: str, *, fields: str | None = None) -> Record | None:
        """The contact whose ``ExternalReference`` is exactly this, or ``None``."""
        return self._first_with_reference(
            self.iter_contacts(
                fields=fields or "ContactGuid,Name,ExternalReference",
                query_filter=f"ExternalReference eq '{_filter_value(external_reference)}'",
            ),
            external_reference,
        )

    @staticmethod
    def _first_with_reference(items: Iterator[Record], reference: str) -> Record | None:
        # Dinero matches case-insensitively; the app's references are exact.
        return next((item for item in items if item.get("ExternalReference") == reference), None)

    # -- products ----------------------------------------------------------------------------

    def iter_products(
        self,
        *,
        fields: str | None = None,
        query_filter: str | None = None,
        free_text_search: str | None = None,
        changes_since: datetime | str | None = None,
        deleted_only: bool = False,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Record]:
        """Every product, streamed page by page."""
        params = {
            "fields": fields,
            "queryFilter": query_filter,
            "freeTextSearch": free_text_search,
            "changesSince": _date_param(changes_since),
            "deletedOnly": str(deleted_only).lower(),
        }
        return self._pages("v1", "products", params, page_size)

    def get_product(self, guid: str) -> Record:
        return self._call("GET", "v1", f"products/{quote(guid)}")

    def create_product(self, product: Body) -> Record:
        """Create a product (the caller may choose ``ProductGuid``); returns it."""
        return self._call("POST", "v1", "products", json=product)

    def update_product(self, guid: str, product: Body) -> None:
        self._call("PUT", "v1", f"products/{quote(guid)}", json=product)

    def delete_product(self, guid: str) -> None:
        self._call("DELETE", "v1", f"products/{quote(guid)}")

    def find_product(self, external_reference: str, *, fields: str | None = None) -> Record | None:
        """The product whose ``ExternalReference`` is exactly this, or ``None``."""
        return self._first_with_reference(
            self.iter_products(
                fields=fields or "ProductGuid,Name,ExternalReference",
                query_filter=f"ExternalReference eq '{_filter_value(external_reference)}'",
            ),
            external_reference,
        )

    # -- invoices and sales ------------------------------------------------------------------

    def iter_invoices(
        self, filters: SalesFilter | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Record]:
        """Every invoice matching ``filters``, streamed page by page."""
        return self._pages("v1", "invoices", (filters or SalesFilter()).params(), page_size)

    def iter_sales(
        self, filters: SalesFilter | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Record]:
        """Invoices and sales credit notes together (``Type`` tells which)."""
        return self._pages("v1", "sales", (filters or SalesFilter()).params(), page_size)

    def sales_settings(self) -> Record:
        return self._call("GET", "v1", "sales/settings")

    def create_invoice(self, invoice: Body) -> Record:
        """Create a draft (set ``Guid`` to choose its identity); returns ``{Guid, TimeStamp}``."""
        return self._call("POST", "v1", "invoices", json=invoice)

    def get_invoice(self, guid: str) -> Record:
        return self._call("GET", "v1", f"invoices/{quote(guid)}")

    def fetch_invoice_totals(self, invoice: Body) -> Record:
        """Dinero's own totals for an invoice body; nothing is saved."""
        return self._call("POST", "v1", "invoices/fetch", json=invoice)

    def update_invoice(self, guid: str, invoice: Body) -> Record:
        """Replace a draft (the body carries ``Timestamp``); returns ``{Guid, TimeStamp}``."""
        return self._call("PUT", "v1.2", f"invoices/{quote(guid)}", json=invoice)

    def delete_invoice(self, guid: str, timestamp: str | None = None) -> None:
        self._call("DELETE", "v1", f"invoices/{quote(guid)}", json=_timestamp(timestamp))

    def book_invoice(self, guid: str, timestamp: str, *, number: int | None = None) -> Record:
        """Book a draft at its current ``timestamp``; returns the booked invoice."""
        return self._call(
            "POST", "v1", f"invoices/{quote(guid)}/book", json=_book(timestamp, number)
        )

    def email_invoice(self, guid: str, mailout: Body) -> Record:
        return self._call("POST", "v1", f"invoices/{quote(guid)}/email", json=mailout)

    def add_invoice_payment(self, guid: str, payment: Body) -> Record:
        return self._call("POST", "v1", f"invoices/{quote(guid)}/payments", json=payment)

    def delete_invoice_payment(self, guid: str, payment_guid: str, timestamp: str) -> Record:
        return self._call(
            "DELETE",
            "v1",
            f"invoices/{quote(guid)}/payments/{quote(payment_guid)}",
            json={"Timestamp": timestamp},
        )

    def generate_credit_note(self, guid: str, timestamp: str | None = None) -> Record:
        """A credit-note draft for a booked invoice; returns ``{Guid, TimeStamp}``."""
        return self._call(
            "POST", "v1", f"invoices/{quote(guid)}/generate-creditnote", json=_timestamp(timestamp)
        )

    def invoice_templates(self) -> list[Record]:
        return self._call("GET", "v1", "invoices/templates")

    def invoice_mailouts(
        self,
        guid: str,
        *,
        changes_since: datetime | str | None = None,
        include_sms: bool | None = None,
    ) -> list[Record]:
        params = {
            "changesSince": _date_param(changes_since),
            "includeSms": None if include_sms is None else str(include_sms).lower(),
        }
        return self._call("GET", "v1", f"invoices/{quote(guid)}/mailouts", params=params)

    def find_invoice(self, external_reference: str) -> Record | None:
        """The invoice whose ``ExternalReference`` is exactly this, or ``None``."""
        return self._first_with_reference(
            self.iter_invoices(
                SalesFilter(
                    fields="Guid,Number,ExternalReference,Status",
                    query_filter=f"ExternalReference eq '{_filter_value(external_reference)}'",
                )
            ),
            external_reference,
        )

    # -- sales credit notes ------------------------------------------------------------------

    def iter_credit_notes(
        self, filters: SalesFilter | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Record]:
        """Every sales credit note matching ``filters``, streamed page by page."""
        return self._pages(
            "v1", "sales/creditnotes", (filters or SalesFilter()).params(), page_size
        )

    def create_credit_note(self, credit_note: Body) -> Record:
        """Create a sales credit-note draft; returns ``{Guid, TimeStamp}``."""
        return self._call("POST", "v1", "sales/creditnotes", json=credit_note)

    def get_credit_note(self, guid: str) -> Record:
        return self._call("GET", "v1", f"sales/creditnotes/{quote(guid)}")

    def fetch_credit_note_totals(self, credit_note: Body) -> Record:
        return self._call("POST", "v1", "sales/creditnotes/fetch", json=credit_note)

    def delete_credit_note(self, guid: str, timestamp: str | None = None) -> None:
        self._call("DELETE", "v1", f"sales/creditnotes/{quote(guid)}", json=_timestamp(timestamp))

    def book_credit_note(self, guid: str, timestamp: str, *, number: int | None = None) -> Record:
        return self._call(
            "POST", "v1", f"sales/creditnotes/{quote(guid)}/book", json=_book(timestamp, number)
        )

    def credit_note_email_template(self, guid: str) -> Record:
        return self._call("GET", "v1", f"sales/creditnotes/{quote(guid)}/email/template")

    def email_credit_note(self, guid: str, mailout: Body) -> Record:
        return self._call("POST", "v1", f"sales/creditnotes/{quote(guid)}/email", json=mailout)

    def credit_note_pdf(self, guid: str) -> bytes:
        return self._call("GET", "v1", f"sales/creditnotes/{quote(guid)}/pdf", binary=True)

    def credit_note_mailouts(
        self, guid: str, *, changes_since: datetime | str | None = None
    ) -> list[Record]:
        return self._call(
            "GET",
            "v1",
            f"sales/creditnotes/{quote(guid)}/mailouts",
            params={"changesSince": _date_param(changes_since)},
        )

    def credit_note_payments(self, guid: str) -> Record:
        return self._call("GET", "v1", f"sales/creditnotes/{quote(guid)}/payments")

    def add_credit_note_payment(self, guid: str, payment: Body) -> Record:
        return self._call("POST", "v1", f"sales/creditnotes/{quote(guid)}/payments", json=payment)

    def delete_credit_note_payment(
        self, guid: str, payment_guid: str, timestamp: str | None = None
    ) -> Record:
        return self._call(
            "DELETE",
            "v1",
            f"sales/creditnotes/{quote(guid)}/payments/{quote(payment_guid)}",
            json=_timestamp(timestamp),
        )

    # -- purchase vouchers (supplier invoices) -------------------------------------------------

    def create_purchase_voucher(
        self, voucher: Body, *, version: Literal["v1.1", "v1.2"] = "v1.2"
    ) -> Record:
        """Create a purchase-voucher draft (v1.2 supports ``AccountTagName``)."""
        return self._call("POST", version, "vouchers/purchase", json=voucher)

    def get_purchase_voucher(self, guid: str) -> Record:
        return self._call("GET", "v1", f"vouchers/purchase/{quote(guid)}")

    def fetch_purchase_voucher_totals(self, voucher: Body) -> Record:
        return self._call("POST", "v1", "vouchers/purchase/fetch", json=voucher)

    def similar_purchase_vouchers(self, voucher: Body) -> Record:
        """Dinero's duplicate check for a purchase-voucher body."""
        return self._call("POST", "v1", "vouchers/purchase/similar", json=voucher)

    def update_purchase_voucher(
        self, guid: str, voucher: Body, *, version: Literal["v1", "v1.1"] = "v1.1"
    ) -> Record:
        """Replace a draft (v1.1 supports ``AccountTagName``; the body carries ``Timestamp``)."""
        return self._call("PUT", version, f"vouchers/purchase/{quote(guid)}", json=voucher)

    def delete_purchase_voucher(self, guid: str, timestamp: str | None = None) -> None:
        self._call("DELETE", "v1", f"vouchers/purchase/{quote(guid)}", json=_timestamp(timestamp))

    def purchase_vouchers_for_file(self, file_guid: str) -> list[str]:
        """The guids of purchase drafts that have this file attached."""
        return self._call("GET", "v1", f"vouchers/purchase/fileguid/{quote(file_guid)}")

    def book_purchase_voucher(
        self, guid: str, timestamp: str, *, number: int | None = None
    ) -> Record:
        return self._call(
            "POST", "v1", f"vouchers/purchase/{quote(guid)}/book", json=_book(timestamp, number)
        )

    def generate_purchase_credit_note(
        self,
        guid: str,
        timestamp: str | None = None,
        *,
        voucher_date: str | None = None,
        file_guid: str | None = None,
    ) -> Record:
        """A credit-note draft for a booked purchase voucher; returns ``{Guid, TimeStamp}``."""
        # Documented shape: the timestamp is itself wrapped, {"Timestamp": {"Timestamp": ...}}.
        body: dict[str, Any] = {"Timestamp": _timestamp(timestamp)}
        if voucher_date is not None:
            body["VoucherDate"] = voucher_date
        if file_guid is not None:
            body["FileGuid"] = file_guid
        return self._call(
            "POST", "v1", f"vouchers/purchase/{quote(guid)}/generate-creditnote", json=body
        )

    # -- purchase credit notes ---------------------------------------------------------------

    def create_purchase_credit_note(self, credit_note: Body) -> Record:
        return self._call("POST", "v1", "vouchers/purchase/creditnotes", json=credit_note)

    def get_purchase_credit_note(self, guid: str) -> Record:
        return self._call("GET", "v1", f"vouchers/purchase/creditnotes/{quote(guid)}")

    def update_purchase_credit_note(self, guid: str, credit_note: Body) -> Record:
        return self._call(
            "PUT", "v1", f"vouchers/purchase/creditnotes/{quote(guid)}", json=credit_note
        )

    def delete_purchase_credit_note(self, guid: str, timestamp: str | None = None) -> None:
        self._call(
            "DELETE",
            "v1",
            f"vouchers/purchase/creditnotes/{quote(guid)}",
            json=_timestamp(timestamp),
        )

    def book_purchase_credit_note(
        self, guid: str, timestamp: str, *, number: int | None = None
    ) -> Record:
        return self._call(
            "POST",
            "v1",
            f"vouchers/purchase/creditnotes/{quote(guid)}/book",
            json=_book(timestamp, number),
        )

    # -- manual vouchers ("vouchers/manuel", spelled so by Dinero) ----------------------------

    def create_manual_voucher(self, voucher: Body) -> Record:
        return self._call("POST", "v1", "vouchers/manuel", json=voucher)

    def get_manual_voucher(self, guid: str) -> Record:
        return self._call("GET", "v1", f"vouchers/manuel/{quote(guid)}")

    def update_manual_voucher(self, guid: str, voucher: Body) -> Record:
        return self._call("PUT", "v1", f"vouchers/manuel/{quote(guid)}", json=voucher)

    def delete_manual_voucher(self, guid: str, timestamp: str) -> None:
        self._call("DELETE", "v1", f"vouchers/manuel/{quote(guid)}", json={"Timestamp": timestamp})

    def book_manual_voucher(
        self, guid: str, timestamp: str, *, number: int | None = None
    ) -> Record:
        return self._call(
            "POST", "v1", f"vouchers/manuel/{quote(guid)}/book", json=_book(timestamp, number)
        )


def _timestamp(timestamp: str | None) -> dict[str, str]:
    return {} if timestamp is None else {"Timestamp": timestamp}


def _book(timestamp: str, number: int | None) -> dict[str, Any]:
    return (
        {"Timestamp": timestamp} if number is None else {"Timestamp": timestamp, "Number": number}
    )
