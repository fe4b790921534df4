"""RackbeatClient against mocked HTTP: paging, errors, suppressed webhooks, token refresh."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from urllib.parse import parse_qs

import fakeredis
import pytest
import responses
from responses import matchers

from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.tokens import MemoryTokenStore
from rackdinero_app.clients.tokens import TokenPair

BASE = "https://rackbeat.test"
API = f"{BASE}/api"
TOKEN_URL = f"{BASE}/oauth/token"
SECRET = "rb-client-secret-SECRET"


def pair(access: str = "access-1", refresh: str = "refresh-1", minutes: float = 30) -> TokenPair:
    return TokenPair(access, refresh, datetime.now(UTC) + timedelta(minutes=minutes))


class CountingStore(MemoryTokenStore):
    def __init__(self, initial: TokenPair) -> None:
        super().__init__("connection-7", initial)
        self.saved: list[TokenPair] = []

    def save(self, new: TokenPair) -> None:
        super().save(new)
        self.saved.append(new)


@pytest.fixture
def mocked():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def make_rackbeat():
    redis = fakeredis.FakeRedis()

    def build(initial: TokenPair | None = None, **options) -> RackbeatClient:
        store = options.pop("store", None) or CountingStore(initial or pair())
        options = {"client_id": "rackdinero", "client_secret": SECRET, "redis": redis, **options}
        return RackbeatClient(BASE, store, **options)

    return build


def bearer(token: str):
    return matchers.header_matcher({"Authorization": f"Bearer {token}"})


def add_exchange(mocked, access="access-2", refresh="refresh-2", expires_in=300):
    return mocked.post(
        TOKEN_URL,
        json={"access_token": access, "refresh_token": refresh, "expires_in": expires_in},
    )


def test_list_walks_one_based_pages_until_the_last(mocked, make_rackbeat):
    for number in (1, 2, 3):
        mocked.get(
            f"{API}/customers",
            status=206,
            json={
                "customers": [{"number": f"{number}-{i}"} for i in range(2 if number < 3 else 1)],
                "total": 5,
                "pages": 3,
                "limit": 2,
                "page": number,
            },
            match=[matchers.query_param_matcher({"page": str(number), "limit": "2"})],
        )
    numbers = [c["number"] for c in make_rackbeat().iter_customers(limit=2)]
    assert numbers == ["1-0", "1-1", "2-0", "2-1", "3-0"]


def test_list_stops_on_an_empty_page(mocked, make_rackbeat):
    mocked.get(
        f"{API}/units",
        status=206,
        json={"units": [], "total": 0, "pages": 0, "limit": 1000, "page": 1},
    )
    assert list(make_rackbeat().iter_units()) == []


def test_single_records_are_unwrapped_and_numbers_escaped(mocked, make_rackbeat):
    mocked.get(f"{API}/products/AB%2F12", json={"product": {"number": "AB/12"}})
    assert make_rackbeat().get_product("AB/12") == {"number": "AB/12"}


def test_writes_suppress_webhooks(mocked, make_rackbeat):
    create = mocked.post(f"{API}/customers", json={"customer": {"number": "42"}})
    book = mocked.post(
        f"{API}/supplier-invoices/9/book",
        json={"supplier_invoice": {"number": 9, "is_booked": True}},
    )
    client = make_rackbeat()
    assert client.create_customer({"company_name": "Acme"}) == {"number": "42"}
    assert client.book_supplier_invoice(9)["is_booked"] is True
    for call in (create, book):
        assert "suppress_webhooks=true" in call.calls[0].request.url
    assert json.loads(create.calls[0].request.body) == {"company_name": "Acme"}


def test_422_carries_field_messages(mocked, make_rackbeat):
    mocked.post(
        f"{API}/customers",
        status=422,
        json={
            "errors": {
                "company_name": ["The company name field is required."],
                "lines.0.item_id": ["Unknown item."],
            }
        },
    )
    with pytest.raises(ValidationFailed) as caught:
        make_rackbeat().create_customer({})
    assert caught.value.field_errors["lines.0.item_id"] == ["Unknown item."]
    assert "The company name field is required." in caught.value.message


@pytest.mark.parametrize(
    ("status", "error"), [(404, NotFound), (403, AuthFailed), (503, Transient), (429, RateLimited)]
)
def test_statuses_map_to_typed_errors(mocked, make_rackbeat, status, error):
    mocked.get(
        f"{API}/customer-invoices/5",
        status=status,
        json={"message": "nope"},
        headers={"Retry-After": "3"},
    )
    with pytest.raises(error) as caught:
        make_rackbeat().get_customer_invoice(5)
    if error is RateLimited:
        assert caught.value.retry_after == 3.0


def test_401_refreshes_once_saves_the_new_pair_and_retries(mocked, make_rackbeat):
    mocked.get(f"{API}/self", status=401, match=[bearer("access-1")])
    exchange = add_exchange(mocked)
    mocked.get(f"{API}/self", json={"user_account": {"id": 1}}, match=[bearer("access-2")])
    store = CountingStore(pair())

    assert make_rackbeat(store=store).get_self()["user_account"]["id"] == 1

    form = parse_qs(exchange.calls[0].request.body)
    assert form["grant_type"] == ["refresh_token"]
    assert form["refresh_token"] == ["refresh-1"]
    assert form["client_id"] == ["rackdinero"]
    assert [(p.access_token, p.refresh_token) for p in store.saved] == [("access-2", "refresh-2")]


def test_a_token_near_expiry_is_refreshed_before_the_call(mocked, make_rackbeat):
    add_exchange(mocked)
    mocked.get(f"{API}/self", json={"user": {"id": 3}}, match=[bearer("access-2")])
    store = CountingStore(pair(minutes=0.5))
    make_rackbeat(store=store).get_self()
    assert len(store.saved) == 1


def test_no_exchange_when_another_process_already_refreshed(mocked, make_rackbeat):
    store = CountingStore(pair())

    def answer(request):
        if request.headers["Authorization"] == "Bearer access-1":
            # Another process refreshes while this request is in flight.
            MemoryTokenStore.save(store, pair("access-9", "refresh-9"))
            return 401, {}, ""
        return 200, {}, json.dumps({"user": {"id": 1}})

    mocked.add_callback(responses.GET, f"{API}/self", callback=answer)

    assert make_rackbeat(store=store).get_self() == {"user": {"id": 1}}
    assert store.saved == []
    assert mocked.calls[-1].request.headers["Authorization"] == "Bearer access-9"


def test_a_refused_refresh_asks_for_a_reinstall(mocked, make_rackbeat):
    mocked.get(f"{API}/self", status=401)
    mocked.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    with pytest.raises(AuthFailed, match="Reinstall"):
        make_rackbeat().get_self()


def test_without_refresh_credentials_a_401_is_auth_failed(mocked):
    mocked.get(f"{API}/self", status=401)
    client = RackbeatClient(BASE, MemoryTokenStore("c", TokenPair("only-access")))
    with pytest.raises(AuthFailed):
        client.get_self()


def test_secrets_never_appear_in_errors_or_reprs(mocked, make_rackbeat):
    mocked.post(
        f"{API}/webhooks",
        status=422,
        json={"errors": {"url": [f"bad access-1 refresh-1 {SECRET}"]}},
    )
    client = make_rackbeat()
    with pytest.raises(ValidationFailed) as caught:
        client.create_webhook("customer.created", "https://app.test/hook")
    texts = [str(caught.value), repr(caught.value), repr(client), repr(pair())]
    for text in texts:
        for secret in ("access-1", "refresh-1", SECRET):
            assert secret not in text
