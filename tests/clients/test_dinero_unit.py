"""DineroClient against mocked HTTP: token, error mapping, casing, paging, secrecy."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest
import requests
import responses
from responses import matchers

from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import NotDineroPro
from rackdinero_app.clients.errors import NotFound
from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import StaleTimestamp
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.errors import ValidationFailed
from tests.clients.conftest import API_KEY
from tests.clients.conftest import API_URL
from tests.clients.conftest import AUTH_URL
from tests.clients.conftest import CLIENT_SECRET
from tests.clients.conftest import ORG

TOKEN_URL = f"{AUTH_URL}/dineroapi/oauth/token"
CONTACTS = f"{API_URL}/v1/{ORG}/contacts"
CONTACT_LIST = f"{API_URL}/v2/{ORG}/contacts"
ACCOUNTS = f"{API_URL}/v1/{ORG}/accounts/entry"
GUID = "4f1b2c3d-0000-4000-8000-000000000001"


def add_token(mocked: responses.RequestsMock, token: str = "tok-1", expires_in: int = 3600):
    return mocked.post(
        TOKEN_URL, json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
    )


def error_body(code: int, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "validationErrors": fields or {}}


@pytest.fixture
def mocked():
    with responses.RequestsMock() as mock:
        yield mock


def test_token_uses_password_grant_with_basic_auth_and_is_cached(mocked, make_dinero, fake_redis):
    token = add_token(mocked)
    mocked.get(ACCOUNTS, json=[])

    make_dinero().entry_accounts()
    make_dinero().entry_accounts()

    assert token.call_count == 1
    sent = token.calls[0].request
    expected = base64.b64encode(f"rackdinero-test:{CLIENT_SECRET}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
    form = parse_qs(sent.body)
    assert form == {
        "grant_type": ["password"],
        "scope": ["read write"],
        "username": [API_KEY],
        "password": [API_KEY],
    }
    (key,) = fake_redis.keys("rackdinero:dinero:token:*")
    assert 3600 - 60 - 2 <= fake_redis.ttl(key) <= 3600 - 60
    assert API_KEY.encode() not in key


def test_bad_api_key_is_auth_failed(mocked, make_dinero):
    mocked.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    with pytest.raises(AuthFailed, match="API key"):
        make_dinero().entry_accounts()


def test_401_drops_the_token_and_retries_once(mocked, make_dinero, fake_redis, sealer):
    add_token(mocked, "old")
    add_token(mocked, "new")
    mocked.get(
        ACCOUNTS,
        status=401,
        json=error_body(41, "Unauthorized"),
        match=[matchers.header_matcher({"Authorization": "Bearer old"})],
    )
    mocked.get(
        ACCOUNTS,
        json=[{"AccountNumber": 1000, "Name": "Salg"}],
        match=[matchers.header_matcher({"Authorization": "Bearer new"})],
    )

    assert make_dinero().entry_accounts()[0]["accountnumber"] == 1000
    (key,) = fake_redis.keys("rackdinero:dinero:token:*")
    assert sealer.decrypt_or_none(fake_redis.get(key).decode()) == "new"


def test_second_401_is_auth_failed(mocked, make_dinero):
    add_token(mocked, "a")
    add_token(mocked, "b")
    mocked.get(ACCOUNTS, status=401, json=error_body(41, "Unauthorized"))
    with pytest.raises(AuthFailed):
        make_dinero().entry_accounts()
    assert len(mocked.calls) == 4


def test_html_404_is_not_found(mocked, make_dinero):
    add_token(mocked)
    mocked.get(
        f"{API_URL}/v1/{ORG}/invoices/{GUID}",
        status=404,
        body="<html><body><h2>404 - File or directory not found.</h2></body></html>",
        content_type="text/html",
    )
    with pytest.raises(NotFound) as caught:
        make_dinero().get_invoice(GUID)
    assert caught.value.status == 404


def test_json_not_found_code_is_not_found(mocked, make_dinero):
    add_token(mocked)
    mocked.get(f"{CONTACTS}/{GUID}", status=404, json=error_body(40, "Not found"))
    with pytest.raises(NotFound):
        make_dinero().get_contact(GUID)


def test_code_58_is_stale_timestamp(mocked, make_dinero):
    add_token(mocked)
    book = mocked.post(
        f"{API_URL}/v1/{ORG}/invoices/{GUID}/book",
        status=400,
        json=error_body(58, "Timestamp outdated", {"Timestamp": "changed"}),
    )
    with pytest.raises(StaleTimestamp) as caught:
        make_dinero().book_invoice(GUID, "00000000020A5EA8")
    assert caught.value.code == 58
    assert json.loads(book.calls[0].request.body) == {"Timestamp": "00000000020A5EA8"}


def test_code_42_carries_field_messages(mocked, make_dinero):
    add_token(mocked)
    mocked.post(
        CONTACTS,
        status=400,
        json=error_body(
            42, "Validation Error", {"CountryKey": "CountryKey is required", "Name": "Too long"}
        ),
    )
    with pytest.raises(ValidationFailed) as caught:
        make_dinero().create_contact({"Name": "x"})
    error = caught.value
    assert error.field_errors == {"CountryKey": "CountryKey is required", "Name": "Too long"}
    assert "CountryKey is required" in error.message
    assert not error.is_transient


def test_language_specific_messages_fill_in_fields(mocked, make_dinero):
    add_token(mocked)
    body = {
        "code": 42,
        "message": "Validation Error",
        "languageSpecificMessages": [{"property": "Unit", "message": "Unknown unit"}],
    }
    mocked.post(f"{API_URL}/v1/{ORG}/products", status=400, json=body)
    with pytest.raises(ValidationFailed) as caught:
        make_dinero().create_product({})
    assert caught.value.field_errors == {"Unit": "Unknown unit"}


def test_403_without_pro_is_not_dinero_pro(mocked, make_dinero):
    add_token(mocked)
    mocked.get(
        CONTACT_LIST,
        status=403,
        json=error_body(90, "The organization does not have a Pro subscription."),
    )
    with pytest.raises(NotDineroPro, match="Dinero Pro"):
        list(make_dinero().iter_contacts())


def test_other_403_is_auth_failed(mocked, make_dinero):
    add_token(mocked)
    mocked.get(
        CONTACT_LIST,
        status=403,
        json=error_body(41, "The access token does not give access to organization 1."),
    )
    with pytest.raises(AuthFailed):
        list(make_dinero().iter_contacts())


def test_429_with_retry_after_waits_then_retries_once(mocked, make_dinero, slept):
    add_token(mocked)
    mocked.get(ACCOUNTS, status=429, body="API calls quota exceeded!", headers={"Retry-After": "7"})
    mocked.get(ACCOUNTS, json=[])

    assert make_dinero().entry_accounts() == []
    assert slept == [pytest.approx(7.0, abs=0.2)]


def test_429_twice_raises_rate_limited_with_retry_after(mocked, make_dinero, slept):
    add_token(mocked)
    mocked.get(ACCOUNTS, status=429, body="API calls quota exceeded!", headers={"Retry-After": "2"})
    with pytest.raises(RateLimited) as caught:
        make_dinero().entry_accounts()
    assert caught.value.retry_after == 2.0
    assert caught.value.is_transient
    assert slept == [pytest.approx(2.0, abs=0.2)]


def test_429_without_retry_after_waits_a_whole_window(mocked, make_dinero, slept):
    """Dinero sends no Retry-After and advises waiting a minute: the request goes again only
    after the organization's window, never into the same exhausted one."""
    add_token(mocked)
    mocked.get(ACCOUNTS, status=429, body="API calls quota exceeded!")
    mocked.get(ACCOUNTS, json=[])

    assert make_dinero(rate_window=20.0, max_wait=30.0).entry_accounts() == []
    assert slept == [pytest.approx(20.0, abs=0.2)]


def test_429_without_retry_after_beyond_max_wait_gives_the_window_to_the_engine(
    mocked, make_dinero, slept
):
    add_token(mocked)
    limited = mocked.get(ACCOUNTS, status=429, body="API calls quota exceeded!")
    with pytest.raises(RateLimited) as caught:
        make_dinero(rate_window=60.0).entry_accounts()
    assert caught.value.retry_after == 60.0
    assert limited.call_count == 1 and slept == []


def test_a_429_blocks_every_client_of_the_organization(mocked, make_dinero, slept):
    """Whichever worker saw the 429, the others wait for the window too (shared in Redis)
    instead of sending into it; another organization is not held up."""
    add_token(mocked)
    limited = mocked.get(ACCOUNTS, status=429, body="API calls quota exceeded!")
    with pytest.raises(RateLimited):
        make_dinero(rate_window=60.0).entry_accounts()

    with pytest.raises(RateLimited) as caught:
        make_dinero(rate_window=60.0).entry_accounts()
    assert caught.value.retry_after == pytest.approx(60.0, abs=1.0)
    assert limited.call_count == 1  # the second worker sent nothing

    mocked.get(f"{API_URL}/v1/{ORG + 1}/accounts/entry", json=[])
    assert make_dinero(organization_id=ORG + 1, rate_window=60.0).entry_accounts() == []


def test_read_timeout_is_transient_that_may_have_succeeded(mocked, make_dinero):
    add_token(mocked)
    mocked.post(f"{API_URL}/v1/{ORG}/invoices", body=requests.ReadTimeout("slow"))
    with pytest.raises(Transient) as caught:
        make_dinero().create_invoice({"Guid": GUID})
    assert caught.value.is_transient and caught.value.may_have_succeeded


def test_connect_timeout_is_transient_that_did_not_reach_dinero(mocked, make_dinero):
    add_token(mocked)
    mocked.get(ACCOUNTS, body=requests.ConnectTimeout("down"))
    with pytest.raises(Transient) as caught:
        make_dinero().entry_accounts()
    assert not caught.value.may_have_succeeded


@pytest.mark.parametrize("status", [500, 502, 503, 480])
def test_server_errors_are_transient(mocked, make_dinero, status):
    add_token(mocked)
    mocked.get(ACCOUNTS, status=status, json=error_body(500, "An error"))
    with pytest.raises(Transient) as caught:
        make_dinero().entry_accounts()
    assert caught.value.status == status


def test_keys_are_read_whatever_their_casing(mocked, make_dinero):
    add_token(mocked)
    mocked.post(f"{API_URL}/v1/{ORG}/invoices", json={"guid": GUID, "timeStamp": "00AB"})
    created = make_dinero().create_invoice({"Guid": GUID, "ProductLines": []})
    assert created["TimeStamp"] == created["timestamp"] == created.timestamp == "00AB"
    assert created.Guid == GUID
    assert "TIMESTAMP" in created and "Number" not in created


def test_nested_records_are_case_insensitive_too(mocked, make_dinero):
    add_token(mocked)
    mocked.get(
        f"{API_URL}/v1/{ORG}/invoices/{GUID}",
        json={"Guid": GUID, "ProductLines": [{"BaseAmountValue": 10}]},
    )
    invoice = make_dinero().get_invoice(GUID)
    assert invoice.product_lines[0]["baseAmountValue"] == 10


def test_an_empty_answer_is_none(mocked, make_dinero):
    add_token(mocked)
    mocked.put(f"{API_URL}/v2/{ORG}/contacts/{GUID}", body="  ")
    assert make_dinero().transport.call("PUT", "v2", f"contacts/{GUID}", json={}) is None


def test_delete_sends_the_timestamp_it_was_given(mocked, make_dinero):
    add_token(mocked)
    delete = mocked.delete(f"{API_URL}/v1/{ORG}/invoices/{GUID}", body="")
    make_dinero().delete_invoice(GUID, "00AB")
    assert json.loads(delete.calls[0].request.body) == {"Timestamp": "00AB"}


def page(items: int, size: int, number: int) -> dict:
    return {
        "Collection": [{"contactGuid": f"{number}-{i}"} for i in range(items)],
        "Pagination": {
            "MaxPageSizeAllowed": 1000,
            "PageSize": size,
            "Result": items,
            "ResultWithoutFilter": 2500,
            "Page": number,
        },
    }


def test_paging_is_zero_based_and_stops_on_a_short_page(mocked, make_dinero):
    add_token(mocked)
    for number, items in enumerate([1000, 1000, 500]):
        mocked.get(
            f"{API_URL}/v2/{ORG}/contacts",
            json=page(items, 1000, number),
            match=[
                matchers.query_param_matcher(
                    {"page": str(number), "pageSize": "1000", "deletedOnly": "false"}
                )
            ],
        )

    contacts = list(make_dinero().iter_contacts())
    assert len(contacts) == 2500
    assert contacts[-1].contact_guid == "2-499"


def test_paging_stops_on_an_empty_page(mocked, make_dinero):
    add_token(mocked)
    products = f"{API_URL}/v1/{ORG}/products"
    mocked.get(products, json=page(2, 2, 0))
    mocked.get(products, json=page(0, 2, 1))
    assert len(list(make_dinero().iter_products(page_size=2))) == 2
    assert len(mocked.calls) == 3


def test_paging_follows_the_page_size_dinero_actually_served(mocked, make_dinero):
    add_token(mocked)
    products = f"{API_URL}/v1/{ORG}/products"
    mocked.get(products, json=page(500, 500, 0))
    mocked.get(products, json=page(3, 500, 1))
    assert len(list(make_dinero().iter_products())) == 503


def test_find_product_filters_on_external_reference_and_matches_it_exactly(mocked, make_dinero):
    listing = f"{API_URL}/v1/{ORG}/products"
    add_token(mocked)
    found = mocked.get(
        listing,
        json={
            "Collection": [
                {"ProductGuid": "other", "ExternalReference": "RB:PRODUCT:7"},
                {"ProductGuid": GUID, "ExternalReference": "rb:product:7"},
            ],
            "Pagination": {"PageSize": 1000, "Result": 2, "Page": 0},
        },
    )

    assert make_dinero().find_product("rb:product:7").product_guid == GUID
    query = parse_qs(found.calls[0].request.url.split("?", 1)[1])
    assert query["queryFilter"] == ["ExternalReference eq 'rb:product:7'"]


def test_find_product_without_an_exact_match_is_none(mocked, make_dinero):
    add_token(mocked)
    mocked.get(
        f"{API_URL}/v1/{ORG}/products",
        json={
            "Collection": [{"ProductGuid": GUID, "ExternalReference": "RB:PRODUCT:7"}],
            "Pagination": {"PageSize": 1000, "Result": 1, "Page": 0},
        },
    )
    assert make_dinero().find_product("rb:product:7") is None


def test_secrets_never_appear_in_errors_or_reprs(mocked, make_dinero):
    add_token(mocked, "tok-SECRET-xyz")
    mocked.post(
        CONTACTS,
        status=400,
        json=error_body(
            42, f"bad key {API_KEY}", {"Name": f"echo {API_KEY} tok-SECRET-xyz {CLIENT_SECRET}"}
        ),
    )
    client = make_dinero()
    with pytest.raises(ValidationFailed) as caught:
        client.create_contact({"Name": "x"})
    for text in (str(caught.value), repr(caught.value), repr(client)):
        for secret in (API_KEY, "tok-SECRET-xyz", CLIENT_SECRET):
            assert secret not in text


# -- creates answered "201, empty body" -----------------------------------------------------


def test_an_empty_created_invoice_is_read_back_by_the_guid_it_was_given(mocked, make_dinero):
    add_token(mocked)
    mocked.post(f"{API_URL}/v1/{ORG}/invoices", status=201, body="")
    mocked.get(f"{API_URL}/v1/{ORG}/invoices/{GUID}", json={"Guid": GUID, "TimeStamp": "00CD"})

    created = make_dinero().create_invoice({"Guid": GUID, "ProductLines": []})

    assert (created["Guid"], created["TimeStamp"]) == (GUID, "00CD")


def test_an_empty_created_contact_is_read_back_by_its_contact_guid(mocked, make_dinero):
    add_token(mocked)
    mocked.post(CONTACTS, status=201, body="")
    mocked.get(f"{CONTACTS}/{GUID}", json={"ContactGuid": GUID, "Name": "Kunde"})
    assert (
        make_dinero().create_contact({"ContactGuid": GUID, "Name": "Kunde"})["ContactGuid"] == GUID
    )


def test_an_empty_created_product_is_found_by_its_external_reference(mocked, make_dinero):
    add_token(mocked)
    mocked.post(f"{API_URL}/v1/{ORG}/products", status=201, body="")
    mocked.get(
        f"{API_URL}/v1/{ORG}/products",
        json={
            "Collection": [{"ProductGuid": GUID, "ExternalReference": "rackbeat:1:product:7"}],
            "Pagination": {"PageSize": 1000, "Result": 1},
        },
    )
    created = make_dinero().create_product({"ExternalReference": "rackbeat:1:product:7"})
    assert created["ProductGuid"] == GUID


def test_an_empty_created_purchase_voucher_is_the_one_with_our_file_and_reference(
    mocked, make_dinero
):
    """Two vouchers carry the file; only the one with our ExternalReference is ours."""
    add_token(mocked)
    other = "4f1b2c3d-0000-4000-8000-000000000002"
    mocked.post(f"{API_URL}/v1.2/{ORG}/vouchers/purchase", status=201, body="")
    mocked.get(f"{API_URL}/v1/{ORG}/vouchers/purchase/fileguid/file-1", json=[other, GUID])
    mocked.get(
        f"{API_URL}/v1/{ORG}/vouchers/purchase/{other}",
        json={"Guid": other, "ExternalReference": "rackbeat:1:supplier_invoice:5002"},
    )
    mocked.get(
        f"{API_URL}/v1/{ORG}/vouchers/purchase/{GUID}",
        json={"Guid": GUID, "ExternalReference": "rackbeat:1:supplier_invoice:5001"},
    )
    created = make_dinero().create_purchase_voucher(
        {"FileGuid": "file-1", "ExternalReference": "rackbeat:1:supplier_invoice:5001"}
    )
    assert created["Guid"] == GUID


def test_an_empty_created_purchase_voucher_not_found_may_have_succeeded(mocked, make_dinero):
    add_token(mocked)
    mocked.post(f"{API_URL}/v1.2/{ORG}/vouchers/purchase", status=201, body="")
    mocked.get(f"{API_URL}/v1/{ORG}/vouchers/purchase/fileguid/file-1", json=[])
    with pytest.raises(Transient) as caught:
        make_dinero().create_purchase_voucher(
            {"FileGuid": "file-1", "ExternalReference": "rackbeat:1:supplier_invoice:5001"}
        )
    assert caught.value.may_have_succeeded


def test_an_empty_created_manual_voucher_may_have_succeeded(mocked, make_dinero):
    add_token(mocked)
    mocked.post(f"{API_URL}/v1/{ORG}/vouchers/manuel", status=201, body="")
    with pytest.raises(Transient) as caught:
        make_dinero().create_manual_voucher({"ExternalReference": "rackbeat:1:x:1"})
    assert caught.value.may_have_succeeded


# -- the file archive -----------------------------------------------------------------------


def test_upload_sends_one_multipart_file_and_returns_its_guid(mocked, make_dinero):
    add_token(mocked)
    upload = mocked.post(f"{API_URL}/v1/{ORG}/files", json={"FileGuid": "file-1"})

    assert make_dinero().upload_file("invoice-5001.pdf", b"%PDF-1.4 x") == "file-1"

    sent = upload.calls[0].request
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="invoice-5001.pdf"' in sent.body
    assert b"%PDF-1.4 x" in sent.body


def test_an_empty_upload_answer_is_resolved_by_the_file_name(mocked, make_dinero):
    add_token(mocked)
    mocked.post(f"{API_URL}/v1/{ORG}/files", status=201, body="")
    files = mocked.get(
        f"{API_URL}/v1/{ORG}/files",
        json=[
            {"FileGuid": "other", "Name": "invoice-5002.pdf", "UploadedAt": "2026-11-20T10:00:00Z"},
            {
                "FileGuid": "file-1",
                "Name": "invoice-5001.pdf",
                "UploadedAt": "2026-11-20T10:00:01Z",
            },
        ],
    )
    assert make_dinero().upload_file("invoice-5001.pdf", b"%PDF-1.4 x") == "file-1"
    query = parse_qs(files.calls[0].request.url.split("?", 1)[1])
    assert query["extensions"] == ["pdf"] and query["fileStatus"] == ["All"]
    assert query["uploadedAfter"][0].count("/") == 2  # yyyy/MM/dd


def test_listing_organizations_never_takes_from_the_organizations_bucket(
    mocked, make_dinero, fake_redis
):
    """Verifying a key (token, then ``GET /v1/organizations``) has proven no access to the
    organization typed, so a loop of attempts naming someone else's company must not spend
    that company's shared budget; only a call on the organization's own path does."""
    bucket = f"rackdinero:dinero:ratelimit:{ORG}"
    add_token(mocked)
    mocked.get(f"{API_URL}/v1/organizations", json=[{"Id": ORG + 7, "IsPro": True}])

    for _ in range(5):
        make_dinero().organizations(fields="id,name,isPro")

    assert not fake_redis.exists(bucket)
    mocked.get(ACCOUNTS, json=[])
    make_dinero().entry_accounts()
    assert fake_redis.exists(bucket)
