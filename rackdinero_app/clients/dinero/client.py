"""``DineroClient``: one method per Dinero operation the app uses.

Every method maps one operation of Dinero's OpenAPI document (the subset the app uses) and uses
its exact path and version segment. Request bodies spell the version stamp ``Timestamp``;
responses spell it ``TimeStamp`` (a ``Record`` reads either).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any
from urllib.parse import quote

from rackdinero_app.clients import http
from rackdinero_app.clients.dinero.auth import ApiKeyGrant
from rackdinero_app.clients.dinero.auth import Sealer
from rackdinero_app.clients.dinero.files import FileOperations
from rackdinero_app.clients.dinero.ledger import LedgerOperations
from rackdinero_app.clients.dinero.transport import MAX_PAGE_SIZE
from rackdinero_app.clients.dinero.transport import Body
from rackdinero_app.clients.dinero.transport import Transport
from rackdinero_app.clients.dinero.transport import created
from rackdinero_app.clients.dinero.vouchers import VoucherOperations
from rackdinero_app.clients.dinero.vouchers import book_body
from rackdinero_app.clients.ratelimit import RateLimiter
from rackdinero_app.clients.records import Record


def _date_param(value: datetime | str | None) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _filter_value(value: str) -> str:
    # Dinero's queryFilter has no documented escape for quotes, so refuse rather than guess.
    if "'" in value:
        raise ValueError("a queryFilter value cannot contain a single quote")
    return value


def sign_in_fingerprint(client_id: str, api_key: str) -> str:
    """Names a sign-in's own bucket without the key in it."""
    return hashlib.sha256(f"{client_id}:{api_key}".encode()).hexdigest()[:24]


def _timestamp(timestamp: str | None) -> dict[str, str]:
    return {} if timestamp is None else {"Timestamp": timestamp}


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


class DineroClient(FileOperations, LedgerOperations, VoucherOperations):
    """One Dinero organization, reached with the app's client id/secret and the user's API key.

    Every create resolves an empty answer (Dinero documents "201: empty body") through the
    identity the request gave the object: the client-chosen Guid of invoices, credit notes and
    contacts, a product's ExternalReference, a purchase voucher's FileGuid."""

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
        sealer: Sealer | None = None,
        rate_limit: int = 100,
        rate_window: float = 60.0,
        max_wait: float = 30.0,
        token_margin: float = 60.0,
        timeout: tuple[float, float] = (http.CONNECT_TIMEOUT, http.READ_TIMEOUT),
    ) -> None:
        self.organization_id = int(organization_id)
        tokens = ApiKeyGrant(
            self.organization_id,
            api_key,
            client_id=client_id,
            client_secret=client_secret,
            auth_url=auth_url,
            redis=redis,
            sealer=sealer,
            token_margin=token_margin,
            timeout=timeout,
        )

        def bucket(name: str) -> RateLimiter:
            return RateLimiter(
                redis,
                f"rackdinero:dinero:ratelimit:{name}",
                limit=rate_limit,
                window=rate_window,
                max_wait=max_wait,
            )

        # Dinero counts a call that names no organization to the key's own one, which the
        # app does not know before the answer: the key pays for it, not the organization typed.
        self.transport = Transport(
            self.organization_id,
            api_url,
            tokens,
            bucket(str(self.organization_id)),
            sign_in_limiter=bucket(f"sign-in:{sign_in_fingerprint(client_id, api_key)}"),
            timeout=timeout,
        )

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        organization_id: int,
        api_key: str,
        redis: Any,
        sealer: Sealer | None = None,
    ) -> DineroClient:
        """A client built from the app's ``DINERO_*`` settings; with a ``sealer`` its access
        token is shared through Redis, encrypted."""
        return cls(
            organization_id,
            api_key,
            client_id=config["DINERO_CLIENT_ID"],
            client_secret=config["DINERO_CLIENT_SECRET"],
            api_url=config["DINERO_API_URL"],
            auth_url=config["DINERO_AUTH_URL"],
            redis=redis,
            sealer=sealer,
            rate_limit=config.get("DINERO_RATE_LIMIT", 100),
            rate_window=config.get("DINERO_RATE_WINDOW", 60.0),
            timeout=(
                http.CONNECT_TIMEOUT,
                float(config.get("DINERO_READ_TIMEOUT", http.READ_TIMEOUT)),
            ),
        )

    def __repr__(self) -> str:
        return (
            f"DineroClient(organization_id={self.organization_id}, "
            f"api_url={self.transport.api_url!r})"
        )

    def _call(self, method: str, version: str, path: str, **options: Any) -> Any:
        return self.transport.call(method, version, path, **options)

    @staticmethod
    def _read_back(read, body: Body, identity: str) -> Record | None:
        """The object a create made, read by the client-chosen guid its body carried."""
        guid = body.get(identity)
        return read(str(guid)) if guid else None

    # -- organization and accounts -----------------------------------------------------------

    def organizations(self, *, fields: str | None = None) -> list[Record]:
        """``GET /v1/organizations``: the organizations the API key can reach."""
        return self._call(
            "GET", "v1", "organizations", params={"fields": fields}, organization=False
        )

    def entry_accounts(
        self, *, fields: str | None = None, category_filter: str | None = None
    ) -> list[Record]:
        return self._call(
            "GET",
            "v1",
            "accounts/entry",
            params={"fields": fields, "categoryFilter": category_filter},
        )

    # -- contacts ----------------------------------------------------------------------------

    def iter_contacts(
        self,
        *,
        fields: str | None = None,
        query_filter: str | None = None,
        changes_since: datetime | str | None = None,
        deleted_only: bool = False,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Record]:
        """Every contact (customers and suppliers alike), streamed page by page."""
        params = {
            "fields": fields,
            "queryFilter": query_filter,
            "changesSince": _date_param(changes_since),
            "deletedOnly": str(deleted_only).lower(),
        }
        return self.transport.pages("v2", "contacts", params, page_size)

    def contacts_page(
        self,
        page: int,
        *,
        fields: str,
        changes_since: datetime | str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> tuple[list[Record], bool]:
        """One page of contacts (0-based) and whether it is the last; for work that stores its
        place in the list between pages."""
        params = {"fields": fields, "changesSince": _date_param(changes_since)}
        return self.transport.page("v2", "contacts", params, page, page_size)

    def get_contact(self, guid: str) -> Record:
        return self._call("GET", "v1", f"contacts/{quote(guid)}")

    def create_contact(self, contact: Body) -> Record:
        """Create a contact (the caller may choose ``ContactGuid``); returns ``{ContactGuid}``."""
        answer = self._call("POST", "v1", "contacts", json=contact)
        return created(answer, lambda: self._read_back(self.get_contact, contact, "ContactGuid"))

    def update_contact(self, guid: str, contact: Body) -> None:
        """Replace a contact."""
        self._call("PUT", "v2", f"contacts/{quote(guid)}", json=contact)

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
        return self.transport.pages("v1", "products", params, page_size)

    def products_page(
        self,
        page: int,
        *,
        fields: str,
        changes_since: datetime | str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> tuple[list[Record], bool]:
        """One page of products (0-based) and whether it is the last."""
        params = {"fields": fields, "changesSince": _date_param(changes_since)}
        return self.transport.page("v1", "products", params, page, page_size)

    def get_product(self, guid: str) -> Record:
        return self._call("GET", "v1", f"products/{quote(guid)}")

    def create_product(self, product: Body) -> Record:
        """Create a product; returns ``{ProductGuid}`` (Dinero chooses it, so an empty answer is
        resolved through the product's ``ExternalReference``)."""
        answer = self._call("POST", "v1", "products", json=product)
        reference = product.get("ExternalReference")
        return created(answer, lambda: self.find_product(reference) if reference else None)

    def update_product(self, guid: str, product: Body) -> None:
        self._call("PUT", "v1", f"products/{quote(guid)}", json=product)

    def find_product(self, external_reference: str, *, fields: str | None = None) -> Record | None:
        """The product whose ``ExternalReference`` is exactly this, or ``None``."""
        products = self.iter_products(
            fields=fields or "ProductGuid,Name,ExternalReference",
            query_filter=f"ExternalReference eq '{_filter_value(external_reference)}'",
        )
        # Dinero matches case-insensitively; the app's references are exact.
        return next(
            (item for item in products if item.get("ExternalReference") == external_reference),
            None,
        )

    # -- invoices and sales ------------------------------------------------------------------

    def iter_invoices(
        self, filters: SalesFilter | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Record]:
        """Every invoice matching ``filters``, streamed page by page."""
        return self.transport.pages(
            "v1", "invoices", (filters or SalesFilter()).params(), page_size
        )

    def iter_sales(
        self, filters: SalesFilter | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Record]:
        """Invoices and sales credit notes together (``Type`` tells which)."""
        return self.transport.pages("v1", "sales", (filters or SalesFilter()).params(), page_size)

    def sales_pages(
        self, filters: SalesFilter | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[list[Record]]:
        """``iter_sales`` a page (one request) at a time, for a reader that counts them."""
        params, page = (filters or SalesFilter()).params(), 0
        while True:
            items, last = self.transport.page("v1", "sales", params, page, page_size)
            yield items
            if last:
                return
            page += 1

    def create_invoice(self, invoice: Body) -> Record:
        """Create a draft (set ``Guid`` to choose its identity); returns ``{Guid, TimeStamp}``."""
        answer = self._call("POST", "v1", "invoices", json=invoice)
        return created(answer, lambda: self._read_back(self.get_invoice, invoice, "Guid"))

    def get_invoice(self, guid: str) -> Record:
        return self._call("GET", "v1", f"invoices/{quote(guid)}")

    def fetch_invoice_totals(self, invoice: Body) -> Record:
        """Dinero's own totals for an invoice body; nothing is saved."""
        return self._call("POST", "v1", "invoices/fetch", json=invoice)

    def delete_invoice(self, guid: str, timestamp: str | None = None) -> None:
        self._call("DELETE", "v1", f"invoices/{quote(guid)}", json=_timestamp(timestamp))

    def book_invoice(self, guid: str, timestamp: str, *, number: int | None = None) -> Record:
        """Book a draft at its current ``timestamp``; returns the booked invoice."""
        return self._call(
            "POST", "v1", f"invoices/{quote(guid)}/book", json=book_body(timestamp, number)
        )

    # -- sales credit notes ------------------------------------------------------------------

    def iter_credit_notes(
        self, filters: SalesFilter | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Record]:
        """Every sales credit note matching ``filters``, streamed page by page."""
        return self.transport.pages(
            "v1", "sales/creditnotes", (filters or SalesFilter()).params(), page_size
        )

    def create_credit_note(self, credit_note: Body) -> Record:
        """Create a sales credit-note draft; returns ``{Guid, TimeStamp}``."""
        answer = self._call("POST", "v1", "sales/creditnotes", json=credit_note)
        return created(answer, lambda: self._read_back(self.get_credit_note, credit_note, "Guid"))

    def get_credit_note(self, guid: str) -> Record:
        return self._call("GET", "v1", f"sales/creditnotes/{quote(guid)}")

    def fetch_credit_note_totals(self, credit_note: Body) -> Record:
        return self._call("POST", "v1", "sales/creditnotes/fetch", json=credit_note)

    def delete_credit_note(self, guid: str, timestamp: str | None = None) -> None:
        self._call("DELETE", "v1", f"sales/creditnotes/{quote(guid)}", json=_timestamp(timestamp))

    def book_credit_note(self, guid: str, timestamp: str, *, number: int | None = None) -> Record:
        return self._call(
            "POST", "v1", f"sales/creditnotes/{quote(guid)}/book", json=book_body(timestamp, number)
        )
