"""The clients against the sandboxes over real loopback HTTP, with real Redis."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import NotDineroPro
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import StaleTimestamp
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.tokens import MemoryTokenStore
from rackdinero_app.clients.tokens import TokenPair
from sandbox import dinero as dinero_sandbox
from sandbox import rackbeat as rackbeat_sandbox
from tests.clients.conftest import FernetSealer
from tests.servers import serve_app

pytestmark = pytest.mark.redis

DINERO_CLIENT = ("rackdinero-test", "dinero-test-secret")
RACKBEAT_CLIENT = ("rackdinero-test", "rackbeat-test-secret")
PRO_ORG, PRO_KEY = 400555, "demo-dinero-api-key"
STARTER_ORG, STARTER_KEY = 400556, "demo-starter-api-key"
RACKBEAT_ACCOUNT = 12345
SEEDED_CUSTOMER = "c0000000-0000-4000-8000-000000000001"


# -- Dinero --------------------------------------------------------------------------------


@pytest.fixture
def dinero_app():
    client_id, client_secret = DINERO_CLIENT
    return dinero_sandbox.create_app(
        {"CLIENT_ID": client_id, "CLIENT_SECRET": client_secret, "VALIDATE_RESPONSES": True}
    )


@pytest.fixture
def dinero_url(dinero_app) -> Iterator[str]:
    with serve_app(dinero_app) as url:
        yield url


@pytest.fixture
def make_dinero(dinero_url, redis) -> Callable[..., DineroClient]:
    sealer = FernetSealer()  # the clients of one test share their tokens, as the app's do

    def build(organization_id: int = PRO_ORG, api_key: str = PRO_KEY, **options) -> DineroClient:
        client_id, client_secret = DINERO_CLIENT
        return DineroClient(
            organization_id,
            api_key,
            client_id=client_id,
            client_secret=client_secret,
            api_url=dinero_url,
            auth_url=dinero_url,
            redis=redis,
            sealer=sealer,
            **{"rate_limit": 10_000, "rate_window": 1.0, **options},
        )

    return build


def dinero_requests(url: str, method: str, path: str, org: int = PRO_ORG) -> int:
    report = requests.get(f"{url}/_sandbox/requests", timeout=5).json().get(str(org), {})
    return sum(
        r["count"]
        for r in report.get("requests", [])
        if r["method"] == method and r["path"] == path
    )


def set_dinero_knobs(url: str, **knobs: Any) -> None:
    requests.post(f"{url}/_sandbox/knobs", json=knobs, timeout=5).raise_for_status()


def draft_invoice(contact: str = SEEDED_CUSTOMER) -> dict[str, Any]:
    return {
        "Guid": str(uuid.uuid4()),
        "ContactGuid": contact,
        "Currency": "DKK",
        "Language": "da-DK",
        "ExternalReference": f"rackbeat:invoice:{secrets.token_hex(4)}",
        "Date": datetime.now(UTC).date().isoformat(),
        "ProductLines": [
            {
                "Description": "Kontorstol",
                "Quantity": 2,
                "AccountNumber": 1000,
                "Unit": "parts",
                "Discount": 0,
                "LineType": "Product",
                "BaseAmountValue": 100.0,
            }
        ],
    }


def test_dinero_pages_through_2500_contacts(dinero_app, dinero_url, make_dinero):
    sandbox = dinero_app.extensions["dinero_sandbox"]
    org = sandbox.organizations[PRO_ORG]
    seeded = len(org.contacts)
    with dinero_app.app_context():
        for number in range(2500):
            dinero_sandbox.views.contacts.create_contact(
                org,
                {
                    "Name": f"Kunde {number}",
                    "CountryKey": "DK",
                    "IsPerson": False,
                    "IsMember": False,
                    "UseCvr": False,
                    "ExternalReference": f"rb:{number}",
                },
            )

    names = [c.name for c in make_dinero().iter_contacts(fields="ContactGuid,Name")]

    assert len(names) == seeded + 2500
    assert len(set(names)) == len(names)
    pages = -(-(seeded + 2500) // 1000)
    assert dinero_requests(dinero_url, "GET", "/v2/{organizationId}/contacts") == pages


def test_dinero_token_expired_on_the_server_is_replaced_once(dinero_app, dinero_url, make_dinero):
    client = make_dinero()
    client.entry_accounts()
    dinero_app.extensions["dinero_sandbox"].tokens.clear()  # every token now answers 401

    assert client.entry_accounts()
    assert make_dinero().entry_accounts()  # a second client reuses the new token from Redis
    assert dinero_requests(dinero_url, "POST", "/dineroapi/oauth/token") == 2
    assert dinero_requests(dinero_url, "GET", "/v1/{organizationId}/accounts/entry") == 4


def test_dinero_token_past_its_lifetime_is_fetched_again(dinero_url, make_dinero):
    set_dinero_knobs(dinero_url, token_lifetime_seconds=1)
    client = make_dinero(token_margin=0)
    client.entry_accounts()
    time.sleep(1.2)
    client.entry_accounts()
    assert dinero_requests(dinero_url, "POST", "/dineroapi/oauth/token") == 2


def test_dinero_429_with_retry_after_is_waited_out_once(dinero_url, make_dinero):
    set_dinero_knobs(
        dinero_url, rate_limit={"limit": 2, "window_seconds": 1}, retry_after_mode="always"
    )
    client = make_dinero(max_wait=5.0)
    started = time.monotonic()
    for _ in range(3):
        client.entry_accounts()
    assert time.monotonic() - started >= 0.9  # slept the Retry-After of 1 s
    assert dinero_requests(dinero_url, "GET", "/v1/{organizationId}/accounts/entry") == 4


def test_dinero_429_without_retry_after_waits_until_the_window_has_passed(dinero_url, make_dinero):
    """No Retry-After: the request goes again once the window has passed (the app's window is
    the sandbox's here), not a tenth of it later into the same exhausted window."""
    set_dinero_knobs(
        dinero_url, rate_limit={"limit": 2, "window_seconds": 3}, retry_after_mode="never"
    )
    client = make_dinero(rate_window=3.0, max_wait=5.0)
    started = time.monotonic()
    for _ in range(3):
        client.entry_accounts()
    assert time.monotonic() - started >= 2.9
    assert dinero_requests(dinero_url, "GET", "/v1/{organizationId}/accounts/entry") == 4


def test_dinero_429_without_retry_after_past_max_wait_stops_every_worker(dinero_url, make_dinero):
    set_dinero_knobs(
        dinero_url, rate_limit={"limit": 2, "window_seconds": 60}, retry_after_mode="never"
    )
    client = make_dinero(rate_window=60.0)
    client.entry_accounts()
    client.entry_accounts()
    with pytest.raises(RateLimited) as caught:
        client.entry_accounts()
    assert caught.value.retry_after == 60.0
    with pytest.raises(RateLimited):
        make_dinero(rate_window=60.0).entry_accounts()  # another worker: blocked, sends nothing
    assert dinero_requests(dinero_url, "GET", "/v1/{organizationId}/accounts/entry") == 3


def test_dinero_html_404_is_not_found(make_dinero):
    with pytest.raises(NotFound):
        make_dinero().get_invoice(str(uuid.uuid4()))


def test_dinero_stale_timestamp_then_book_with_the_current_one(make_dinero):
    client = make_dinero()
    created = client.create_invoice(draft_invoice())
    with pytest.raises(StaleTimestamp):
        client.book_invoice(created.guid, "0000000000000001")
    booked = client.book_invoice(created.guid, created["TimeStamp"])
    assert booked.status == "Booked"
    assert booked.number


def test_dinero_finds_a_product_by_external_reference(make_dinero):
    client = make_dinero()
    reference = f"rackbeat:product:{secrets.token_hex(4)}"
    created = client.create_product(
        {
            "Name": "Kontorstol",
            "AccountNumber": 1000,
            "BaseAmountValue": 50.0,
            "Quantity": 1,
            "Unit": "parts",
            "ExternalReference": reference,
        }
    )
    assert client.find_product(reference).product_guid == created.product_guid
    assert client.find_product("rackbeat:product:none") is None


def test_dinero_non_pro_organization(make_dinero):
    def is_pro(client: DineroClient) -> bool:
        (ours,) = [
            organization
            for organization in client.organizations(fields="id,name,isPro")
            if int(organization["Id"]) == client.organization_id
        ]
        return ours["IsPro"]

    client = make_dinero(STARTER_ORG, STARTER_KEY)
    assert is_pro(client) is False
    with pytest.raises(NotDineroPro) as caught:
        client.entry_accounts()
    assert "Dinero Pro" in caught.value.message
    assert is_pro(make_dinero()) is True


def test_dinero_validation_errors_name_the_fields(make_dinero):
    with pytest.raises(ValidationFailed) as caught:
        make_dinero().create_contact({"Name": "Uden land"})
    assert "CountryKey" in caught.value.field_errors
    assert "CountryKey" in caught.value.message


def test_dinero_wrong_api_key_is_auth_failed(make_dinero):
    with pytest.raises(AuthFailed):
        make_dinero(api_key="not-a-key").entry_accounts()


# -- Rackbeat ------------------------------------------------------------------------------


class CountingMiddleware:
    """Counts refresh-token exchanges as they reach the sandbox."""

    def __init__(self, app) -> None:
        self.app = app
        self.exchanges = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/oauth/token":
            with self._lock:
                self.exchanges += 1
        return self.app(environ, start_response)


@pytest.fixture
def rackbeat_app():
    client_id, client_secret = RACKBEAT_CLIENT
    return rackbeat_sandbox.create_app({"CLIENT_ID": client_id, "CLIENT_SECRET": client_secret})


@pytest.fixture
def rackbeat_counter(rackbeat_app) -> CountingMiddleware:
    return CountingMiddleware(rackbeat_app)


@pytest.fixture
def rackbeat_url(rackbeat_counter) -> Iterator[str]:
    with serve_app(rackbeat_counter) as url:
        yield url


@pytest.fixture
def issue_tokens(rackbeat_app) -> Callable[..., TokenPair]:
    """A token pair issued by the sandbox's own store, as its OAuth server would."""
    from sandbox.rackbeat.store import Token

    store = rackbeat_app.extensions["rackbeat_sandbox"]

    def issue(lifetime: float = 300) -> TokenPair:
        common = {
            "grant_id": secrets.token_hex(8),
            "client_id": RACKBEAT_CLIENT[0],
            "account_id": RACKBEAT_ACCOUNT,
            "user_id": 7,
            "scopes": ("customers", "suppliers", "products", "invoices", "webhooks", "plugins"),
        }
        access = Token(secrets.token_urlsafe(16), expires_at=store.now() + lifetime, **common)
        refresh = Token(secrets.token_urlsafe(16), expires_at=None, **common)
        with store.lock:
            store.access_tokens[access.value] = access
            store.refresh_tokens[refresh.value] = refresh
        expires_at = datetime.now(UTC) + timedelta(seconds=lifetime)
        return TokenPair(access.value, refresh.value, expires_at)

    return issue


class LockedStore(MemoryTokenStore):
    """A store shared by threads, as the database row is shared by processes."""

    def __init__(self, key: str, pair: TokenPair) -> None:
        super().__init__(key, pair)
        self._lock = threading.Lock()
        self.saves = 0

    def load(self) -> TokenPair:
        with self._lock:
            return super().load()

    def save(self, pair: TokenPair) -> None:
        with self._lock:
            super().save(pair)
            self.saves += 1


@pytest.fixture
def make_rackbeat(rackbeat_url, redis) -> Callable[..., RackbeatClient]:
    def build(store: MemoryTokenStore, **options) -> RackbeatClient:
        client_id, client_secret = RACKBEAT_CLIENT
        return RackbeatClient(
            rackbeat_url,
            store,
            client_id=client_id,
            client_secret=client_secret,
            redis=redis,
            **options,
        )

    return build


def test_rackbeat_pages_through_2500_customers(rackbeat_app, make_rackbeat, issue_tokens):
    from sandbox.rackbeat.records.contacts import create_contact

    store = rackbeat_app.extensions["rackbeat_sandbox"]
    account = store.accounts[RACKBEAT_ACCOUNT]
    seeded = len(account.records["customers"])
    with rackbeat_app.app_context(), store.lock:
        for number in range(2500):
            create_contact(
                store,
                account,
                "customers",
                {
                    "company_name": f"Kunde {number}",
                    "vat_zone": "domestic",
                    "address_country": "DK",
                    "currency": "DKK",
                },
                suppress=True,
            )

    client = make_rackbeat(LockedStore("c1", issue_tokens()))
    numbers = [customer["number"] for customer in client.iter_customers()]

    assert len(numbers) == seeded + 2500
    assert len(set(numbers)) == len(numbers)


def test_rackbeat_expired_token_is_refreshed_before_the_call(
    rackbeat_counter, make_rackbeat, issue_tokens
):
    tokens = LockedStore("c2", issue_tokens(lifetime=1))
    client = make_rackbeat(tokens, refresh_margin=0)
    client.get_self()
    time.sleep(1.2)

    assert client.get_self()["user_account"]["id"] == RACKBEAT_ACCOUNT
    assert rackbeat_counter.exchanges == 1
    assert tokens.saves == 1


def test_rackbeat_401_refreshes_then_retries(
    rackbeat_app, rackbeat_counter, make_rackbeat, issue_tokens
):
    pair = issue_tokens()
    store = rackbeat_app.extensions["rackbeat_sandbox"]
    store.access_tokens[pair.access_token].revoked = True  # the server no longer accepts it
    tokens = LockedStore("c3", pair)

    assert make_rackbeat(tokens).get_self()["user"]["id"] == 7
    assert rackbeat_counter.exchanges == 1
    assert tokens.load().access_token != pair.access_token


def test_rackbeat_concurrent_refresh_exchanges_once(rackbeat_counter, make_rackbeat, issue_tokens):
    tokens = LockedStore("c4", issue_tokens(lifetime=1))
    time.sleep(1.2)  # expired for everyone
    results: list[Any] = []
    start = threading.Barrier(8)

    def call() -> None:
        client = make_rackbeat(tokens, refresh_margin=0)
        start.wait()
        try:
            results.append(client.get_self()["user_account"]["id"])
        except Exception as error:  # reported by the assertion below
            results.append(error)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert results == [RACKBEAT_ACCOUNT] * 8
    assert rackbeat_counter.exchanges == 1
    assert tokens.saves == 1


def test_rackbeat_used_refresh_token_asks_for_reinstall(rackbeat_app, make_rackbeat, issue_tokens):
    pair = issue_tokens(lifetime=1)
    store = rackbeat_app.extensions["rackbeat_sandbox"]
    store.refresh_tokens[pair.refresh_token].used = True
    time.sleep(1.2)
    with pytest.raises(AuthFailed, match="Reinstall"):
        make_rackbeat(LockedStore("c5", pair), refresh_margin=0).get_self()


def test_rackbeat_validation_errors_name_the_fields(make_rackbeat, issue_tokens):
    client = make_rackbeat(LockedStore("c6", issue_tokens()))
    with pytest.raises(ValidationFailed) as caught:
        client.create_customer({"vat_zone": "domestic"})
    assert "company_name" in caught.value.field_errors


def test_rackbeat_unknown_record_is_not_found(make_rackbeat, issue_tokens):
    with pytest.raises(NotFound):
        make_rackbeat(LockedStore("c7", issue_tokens())).get_customer(987654)


def test_rackbeat_singles_lists_and_writes(make_rackbeat, issue_tokens):
    client = make_rackbeat(LockedStore("c8", issue_tokens()))
    created = client.create_customer(
        {
            "company_name": "Ny Kunde ApS",
            "payment_terms_id": 1,
            "vat_zone": "eu",
            "address_country": "DE",
            "currency": "EUR",
        }
    )
    assert client.get_customer(created["number"])["company_name"] == "Ny Kunde ApS"
    assert list(client.iter_units())
    assert list(client.iter_product_groups())
    assert list(client.iter_layouts())
    hook = client.create_webhook("customer.created", "https://app.example/webhooks/rackbeat")
    assert hook["token"]
    assert [h["id"] for h in client.iter_webhooks(event="customer.created")] == [hook["id"]]
    client.delete_webhook(hook["id"])
    assert list(client.iter_webhooks(event="customer.created")) == []


def test_rackbeat_supplier_invoice_pdf_or_none_without_a_document(make_rackbeat, issue_tokens):
    """A seeded supplier invoice has its PDF; one created through the API has no document."""
    client = make_rackbeat(LockedStore("c9", issue_tokens()))
    seeded = client.supplier_invoice_pdf(5001)
    assert seeded.startswith(b"%PDF") and b"%%EOF" in seeded[-64:]

    created = client.create_supplier_invoice(
        {"supplier_id": 1, "lines": [{"child_id": "300", "quantity": 1}]}
    )
    assert client.supplier_invoice_pdf(created["number"]) is None
    with pytest.raises(NotFound):
        client.get_supplier_invoice(987654)
    assert client.supplier_invoice_pdf(987654) is None


def test_dinero_ledger_entries_and_changes(dinero_url, make_dinero):
    """The seeded books: October's vouchers through ``/entries``, the seed's postings through
    ``/entries/changes``; primo entries only when asked for."""
    client = make_dinero()
    october = client.entries(date(2026, 10, 1), date(2026, 10, 31))
    assert {e["vouchertype"] for e in october} == {"Invoice", "Purchases"}  # any key casing
    assert sum(Decimal(str(e["Amount"])) for e in october) == 0
    assert all(e["Type"] == "Normal" and e["EntryGuid"] for e in october)
    year = datetime.now(UTC).year
    january = client.entries(date(year, 1, 1), date(year, 1, 31), include_primo=True)
    assert {e["Type"] for e in january} == {"Primo"}
    assert client.entries(date(year, 1, 1), date(year, 1, 31)) == []

    now = datetime.now(UTC)
    changed = client.entry_changes(now - timedelta(hours=1), now + timedelta(minutes=1))
    assert sorted(e["EntryGuid"] for e in changed) == sorted(e["EntryGuid"] for e in october)
    naive = now.replace(tzinfo=None)  # taken as UTC
    with_primo = client.entry_changes(
        naive - timedelta(hours=1), naive + timedelta(minutes=1), include_primo=True
    )
    assert len(with_primo) > len(changed)
    assert dinero_requests(dinero_url, "GET", "/v1/{organizationId}/entries") == 3
    assert dinero_requests(dinero_url, "GET", "/v1/{organizationId}/entries/changes") == 2


def test_rackbeat_invoice_lists_pass_the_order_through(make_rackbeat, issue_tokens):
    client = make_rackbeat(LockedStore("c10", issue_tokens()))
    totals = [
        invoice["total_total"]
        for invoice in client.iter_customer_invoices(
            limit=2, order_by="total_total", order_direction="desc"
        )
    ]
    assert len(totals) > 2 and totals == sorted(totals, reverse=True)
