"""The Dinero sandbox is as strict as Dinero: each test pins what a lenient fake would miss."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from sandbox.dinero import create_app
from sandbox.dinero import implemented_operations
from sandbox.dinero import spec
from sandbox.dinero.validation import check_response
from tests.servers import serve_app

ORG = "400555"
STARTER = "400556"
DEMO_KEY = "demo-dinero-api-key"
STARTER_KEY = "demo-starter-api-key"
NORDISK = "c0000000-0000-4000-8000-000000000001"
BASIC = "Basic " + base64.b64encode(b"rackdinero-demo:rackdinero-demo-dinero-secret").decode()


@pytest.fixture
def dinero_app():
    return create_app({"TESTING": True, "VALIDATE_RESPONSES": True})


@pytest.fixture
def dinero(dinero_app):
    return dinero_app.test_client()


def token_request(client, api_key: str, authorization: str = BASIC):
    form = {
        "grant_type": "password",
        "scope": "read write",
        "username": api_key,
        "password": api_key,
    }
    return client.post(
        "/dineroapi/oauth/token", data=form, headers={"Authorization": authorization}
    )


@pytest.fixture
def bearer(dinero) -> Callable[[str], dict[str, str]]:
    def headers(api_key: str = DEMO_KEY) -> dict[str, str]:
        response = token_request(dinero, api_key)
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['access_token']}"}

    return headers


@pytest.fixture
def auth(bearer) -> dict[str, str]:
    return bearer()


@pytest.fixture
def knobs(dinero) -> Callable[..., None]:
    def set_knobs(**changes: Any) -> None:
        response = dinero.post("/_sandbox/knobs", json=changes)
        assert response.status_code == 200, response.json

    return set_knobs


def invoice_body(**overrides: Any) -> dict[str, Any]:
    line = {
        "Description": "Cykelhjelm",
        "BaseAmountValue": 100.0,
        "Quantity": 2.0,
        "AccountNumber": 1000,
        "Discount": 10.0,
        "Unit": "parts",
    }
    return {"ContactGuid": NORDISK, "ProductLines": [line], **overrides}


def create_invoice(dinero, auth, **overrides: Any) -> dict[str, Any]:
    response = dinero.post(f"/v1/{ORG}/invoices", json=invoice_body(**overrides), headers=auth)
    assert response.status_code == 200, response.json
    return response.json


def assert_validation_error(response, field: str, code: int = 42) -> str:
    assert response.status_code == 400, response.data
    assert response.json["code"] == code
    assert field in response.json["validationErrors"], response.json
    return response.json["validationErrors"][field]


# --- the contract ---------------------------------------------------------------------------


def test_every_documented_operation_is_served_and_nothing_else(dinero_app):
    assert implemented_operations(dinero_app) == set(spec.operations())


def test_response_check_catches_drift():
    schema = spec.operation("POST", "/v1/{organizationId}/invoices").response_schema
    with pytest.raises(AssertionError, match="Timestamp"):
        check_response(schema, {"Guid": NORDISK, "Timestamp": "00"}, projected=False)


# --- auth -----------------------------------------------------------------------------------


def test_token_needs_the_registered_client(dinero):
    wrong = "Basic " + base64.b64encode(b"rackdinero-demo:nope").decode()
    response = token_request(dinero, DEMO_KEY, authorization=wrong)
    assert (response.status_code, response.json["error"]) == (401, "invalid_client")


def test_token_needs_a_known_api_key(dinero):
    response = token_request(dinero, "not-a-key")
    assert (response.status_code, response.json["error"]) == (400, "invalid_grant")


def test_token_response_is_a_bearer_token(dinero):
    body = token_request(dinero, DEMO_KEY).json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["access_token"]


def test_expired_token_gives_401(dinero, bearer, knobs):
    knobs(token_lifetime_seconds=1)
    auth = bearer()
    assert dinero.get(f"/v1/{ORG}/vatTypes", headers=auth).status_code == 200
    time.sleep(1.05)
    assert dinero.get(f"/v1/{ORG}/vatTypes", headers=auth).status_code == 401


def test_missing_token_gives_401(dinero):
    assert dinero.get(f"/v1/{ORG}/contacts").status_code == 401


def test_token_only_opens_its_own_organization(dinero, auth):
    assert dinero.get(f"/v1/{STARTER}/contacts", headers=auth).status_code == 403


def test_non_pro_organization_gets_403_on_everything_but_organizations(dinero, bearer):
    auth = bearer(STARTER_KEY)
    organizations = dinero.get("/v1/organizations", headers=auth)
    assert organizations.status_code == 200
    assert organizations.json == [{"id": 400556, "name": "Starter ApS", "isPro": False}]
    assert dinero.get("/v1.1/organizations", headers=auth).status_code == 200
    for response in (
        dinero.get(f"/v1/{STARTER}/contacts", headers=auth),
        dinero.get(f"/v1/{STARTER}/accounts/entry", headers=auth),
        dinero.post(f"/v1/{STARTER}/invoices", json=invoice_body(), headers=auth),
    ):
        assert response.status_code == 403
        assert response.json["code"] == 90


# --- request validation ---------------------------------------------------------------------


def test_wrong_key_casing_is_rejected_naming_the_field(dinero, auth):
    invoice = create_invoice(dinero, auth)
    response = dinero.post(
        f"/v1/{ORG}/invoices/{invoice['Guid']}/book",
        json={"timestamp": invoice["TimeStamp"]},
        headers=auth,
    )
    assert "Timestamp" in assert_validation_error(response, "timestamp")


def test_wrong_casing_inside_lines_is_rejected(dinero, auth):
    body = invoice_body()
    body["ProductLines"][0]["unit"] = body["ProductLines"][0].pop("Unit")
    response = dinero.post(f"/v1/{ORG}/invoices", json=body, headers=auth)
    assert_validation_error(response, "ProductLines[0].unit")


def test_book_without_timestamp_is_rejected(dinero, auth):
    invoice = create_invoice(dinero, auth)
    response = dinero.post(f"/v1/{ORG}/invoices/{invoice['Guid']}/book", json={}, headers=auth)
    assert_validation_error(response, "Timestamp")


def test_missing_or_non_json_body_is_a_missing_model(dinero, auth):
    for response in (
        dinero.post(f"/v1/{ORG}/invoices", headers=auth),
        dinero.post(f"/v1/{ORG}/invoices", data="ContactGuid=x", headers=auth),
    ):
        message = assert_validation_error(response, "globalErrors[]")
        assert message == "The following models are missing: model"


@pytest.mark.parametrize("unit", ["stk", "pcs", "Parts"])
def test_unit_outside_dineros_19_is_rejected(dinero, auth, unit):
    body = invoice_body()
    body["ProductLines"][0]["Unit"] = unit
    response = dinero.post(f"/v1/{ORG}/invoices", json=body, headers=auth)
    assert_validation_error(response, "ProductLines[0].Unit")


def test_product_unit_is_checked_too(dinero, auth):
    product = {
        "Name": "X",
        "AccountNumber": 1000,
        "BaseAmountValue": 1,
        "Quantity": 1,
        "Unit": "pcs",
    }
    response = dinero.post(f"/v1/{ORG}/products", json=product, headers=auth)
    assert_validation_error(response, "Unit")


def test_language_must_be_da_dk_or_en_gb(dinero, auth):
    response = dinero.post(f"/v1/{ORG}/invoices", json=invoice_body(Language="da"), headers=auth)
    assert_validation_error(response, "Language")


def test_missing_required_line_field_is_rejected(dinero, auth):
    body = invoice_body()
    del body["ProductLines"][0]["Discount"]
    response = dinero.post(f"/v1/{ORG}/invoices", json=body, headers=auth)
    assert_validation_error(response, "ProductLines[0].Discount")


def test_unknown_account_is_rejected(dinero, auth):
    body = invoice_body()
    body["ProductLines"][0]["AccountNumber"] = 1999
    response = dinero.post(f"/v1/{ORG}/invoices", json=body, headers=auth)
    assert_validation_error(response, "ProductLines[0].AccountNumber")


# --- versions and booking -------------------------------------------------------------------


def test_stale_timestamp_gives_code_58(dinero, auth):
    invoice = create_invoice(dinero, auth)
    update = {**invoice_body(Description="Changed"), "Timestamp": invoice["TimeStamp"]}
    updated = dinero.put(f"/v1.2/{ORG}/invoices/{invoice['Guid']}", json=update, headers=auth)
    assert updated.status_code == 200
    assert updated.json["TimeStamp"] != invoice["TimeStamp"]
    response = dinero.post(
        f"/v1/{ORG}/invoices/{invoice['Guid']}/book",
        json={"Timestamp": invoice["TimeStamp"]},
        headers=auth,
    )
    assert_validation_error(response, "Timestamp", code=58)


def test_booking_twice_is_rejected(dinero, auth):
    invoice = create_invoice(dinero, auth)
    url = f"/v1/{ORG}/invoices/{invoice['Guid']}/book"
    booked = dinero.post(url, json={"Timestamp": invoice["TimeStamp"]}, headers=auth)
    again = dinero.post(url, json={"Timestamp": booked.json["TimeStamp"]}, headers=auth)
    assert again.status_code == 400 and again.json["code"] == 42


def test_booking_needs_a_contact(dinero, auth):
    invoice = create_invoice(dinero, auth, ContactGuid=None)
    response = dinero.post(
        f"/v1/{ORG}/invoices/{invoice['Guid']}/book",
        json={"Timestamp": invoice["TimeStamp"]},
        headers=auth,
    )
    assert_validation_error(response, "ContactGuid")


def test_invoice_create_then_book_assigns_number_and_25_percent_vat(dinero, auth):
    invoice = create_invoice(dinero, auth, ExternalReference="rb-invoice-77")
    draft = dinero.get(f"/v1/{ORG}/invoices/{invoice['Guid']}", headers=auth).json
    assert (draft["Status"], draft["Number"]) == ("Draft", 0)

    booked = dinero.post(
        f"/v1/{ORG}/invoices/{invoice['Guid']}/book",
        json={"Timestamp": draft["TimeStamp"]},
        headers=auth,
    ).json
    assert booked["Status"] == "Booked"
    assert booked["Number"] == 3  # the seed booked 1 and 2
    assert booked["TimeStamp"] != draft["TimeStamp"]
    assert (booked["TotalExclVat"], booked["TotalVat"], booked["TotalInclVat"]) == (
        180.0,
        45.0,
        225.0,
    )
    line = booked["ProductLines"][0]
    assert (line["TotalAmount"], line["TotalAmountInclVat"], line["BaseAmountValueInclVat"]) == (
        180.0,
        225.0,
        125.0,
    )


def test_non_vat_account_gives_no_vat(dinero, auth):
    body = invoice_body()
    body["ProductLines"][0]["AccountNumber"] = 1100
    totals = dinero.post(f"/v1/{ORG}/invoices/fetch", json=body, headers=auth).json
    assert (totals["TotalVat"], totals["TotalNonVatableAmount"]) == (0.0, 180.0)


def test_fetch_computes_totals_without_saving(dinero, auth):
    before = dinero.get(f"/v1/{ORG}/invoices", headers=auth).json["Pagination"]["Result"]
    body = invoice_body(ShowLinesInclVat=True)
    body["ProductLines"][0].update(BaseAmountValue=125.0, Discount=0.0)
    totals = dinero.post(f"/v1/{ORG}/invoices/fetch", json=body, headers=auth).json
    assert (totals["TotalExclVat"], totals["TotalVat"], totals["TotalInclVat"]) == (
        200.0,
        50.0,
        250.0,
    )
    after = dinero.get(f"/v1/{ORG}/invoices", headers=auth).json["Pagination"]["Result"]
    assert after == before


def test_client_chosen_guid_is_honoured_and_reuse_rejected(dinero, auth):
    guid = "5b0c0f6e-1111-4222-8333-444455556666"
    assert create_invoice(dinero, auth, Guid=guid)["Guid"] == guid
    assert dinero.get(f"/v1/{ORG}/invoices/{guid}", headers=auth).json["Guid"] == guid
    again = dinero.post(f"/v1/{ORG}/invoices", json=invoice_body(Guid=guid), headers=auth)
    assert "already in use" in assert_validation_error(again, "Guid")


def test_client_chosen_contact_guid_reuse_rejected(dinero, auth):
    contact = {"Name": "Ny Kunde", "CountryKey": "DK", "IsPerson": False, "IsMember": False}
    contact |= {"UseCvr": False, "ContactGuid": NORDISK}
    response = dinero.post(f"/v1/{ORG}/contacts", json=contact, headers=auth)
    assert_validation_error(response, "ContactGuid")


# --- lists ----------------------------------------------------------------------------------


def contact_page(dinero, auth, page: int, page_size: int = 3) -> list[str]:
    url = f"/v1/{ORG}/contacts?page={page}&pageSize={page_size}"
    return [c["contactGuid"] for c in dinero.get(url, headers=auth).json["Collection"]]


def test_pages_are_zero_based(dinero, auth):
    first, second, third = (contact_page(dinero, auth, page) for page in range(3))
    assert len(first) == 3 and len(second) == 3 and len(third) == 1
    assert not set(first) & set(second)
    assert first[0] == NORDISK  # a client starting at page=1 would never see it


def test_pagination_envelope(dinero, auth):
    pagination = dinero.get(f"/v1/{ORG}/contacts?page=2&pageSize=3", headers=auth).json[
        "Pagination"
    ]
    assert pagination == {
        "MaxPageSizeAllowed": 1000,
        "PageSize": 3,
        "Result": 1,
        "ResultWithoutFilter": 7,
        "Page": 2,
    }


@pytest.mark.parametrize("query", ["pageSize=1001", "pageSize=0", "page=-1", "page=x"])
def test_bad_paging_is_rejected(dinero, auth, query):
    assert dinero.get(f"/v1/{ORG}/contacts?{query}", headers=auth).status_code == 400


def test_fields_keys_come_back_as_requested(dinero, auth):
    default = dinero.get(f"/v1/{ORG}/contacts", headers=auth).json["Collection"][0]
    assert set(default) == {"name", "contactGuid"}
    url = f"/v1/{ORG}/contacts?fields=NAME,contactguid,Email"
    asked = dinero.get(url, headers=auth).json["Collection"][0]
    assert asked == {
        "NAME": "Nordisk Cykel A/S",
        "contactguid": NORDISK,
        "Email": "indkob@nordiskcykel.dk",
    }
    product = dinero.get(f"/v1/{ORG}/products", headers=auth).json["Collection"][0]
    assert set(product) == {"Name", "ProductGuid"}


def test_query_filter_on_external_reference(dinero, auth):
    def names(query: str) -> list[str]:
        url = f"/v1/{ORG}/contacts?fields=Name&queryFilter={query}"
        return [c["Name"] for c in dinero.get(url, headers=auth).json["Collection"]]

    assert names("ExternalReference eq 'RB-CUSTOMER-1001'") == ["Nordisk Cykel A/S"]
    assert names("externalreference contains 'customer';Name contains 'jensen'") == [
        "Jensen Byg ApS"
    ]
    assert dinero.get(f"/v1/{ORG}/contacts?queryFilter=Nordisk", headers=auth).status_code == 400


def test_invoice_list_filters_status_and_reference(dinero, auth):
    create_invoice(dinero, auth, ExternalReference="rb-invoice-9")
    query = {
        "fields": "Number,Status",
        "statusFilter": "Draft",
        "queryFilter": "ExternalReference eq 'rb-invoice-9'",
    }
    listed = dinero.get(f"/v1/{ORG}/invoices", query_string=query, headers=auth).json
    assert listed["Collection"] == [{"Number": 0, "Status": "Draft"}]


def test_accounts_and_vat_types_are_bare_arrays(dinero, auth):
    accounts = dinero.get(
        f"/v1/{ORG}/accounts/entry?fields=AccountNumber,VatCode", headers=auth
    ).json
    assert {"AccountNumber": 1000, "VatCode": "U25"} in accounts
    deposits = dinero.get(f"/v1/{ORG}/accounts/deposit", headers=auth).json
    assert all(55000 <= d["AccountNumber"] <= 55999 for d in deposits)
    assert {"VatCode": "I25", "Name": "Dansk købsmoms", "VatRate": 0.25} in dinero.get(
        f"/v1/{ORG}/vatTypes", headers=auth
    ).json


# --- 404s -----------------------------------------------------------------------------------


def test_unknown_invoice_or_product_is_an_html_404(dinero, auth):
    unknown = "00000000-0000-4000-8000-00000000abcd"
    for url in (f"/v1/{ORG}/invoices/{unknown}", f"/v1/{ORG}/products/{unknown}"):
        response = dinero.get(url, headers=auth)
        assert (response.status_code, response.mimetype) == (404, "text/html")


def test_unknown_contact_is_a_json_404_code_40(dinero, auth):
    response = dinero.get(f"/v1/{ORG}/contacts/00000000-0000-4000-8000-00000000abcd", headers=auth)
    assert (response.status_code, response.json["code"]) == (404, 40)


# --- rate limit -----------------------------------------------------------------------------


def test_default_limit_is_100_per_minute_with_dineros_text(dinero, auth):
    statuses = [dinero.get(f"/v1/{ORG}/vatTypes", headers=auth).status_code for _ in range(101)]
    assert statuses[:100] == [200] * 100 and statuses[100] == 429
    rejected = dinero.get(f"/v1/{ORG}/vatTypes", headers=auth)
    assert rejected.get_data(as_text=True).startswith(
        "API calls quota exceeded! maximum admitted 100 per 1m."
    )


def test_429s_alternate_with_and_without_retry_after(dinero, auth, knobs):
    knobs(rate_limit={"limit": 2, "window_seconds": 2})
    responses = [dinero.get(f"/v1/{ORG}/vatTypes", headers=auth) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 429, 429]
    assert 1 <= int(responses[2].headers["Retry-After"]) <= 2
    assert "Retry-After" not in responses[3].headers
    assert (
        responses[2]
        .get_data(as_text=True)
        .startswith("API calls quota exceeded! maximum admitted 2 per 2s.")
    )


def test_rate_limit_is_per_organization_and_window_frees(dinero, bearer, knobs):
    knobs(rate_limit={"limit": 1, "window_seconds": 0.3}, retry_after_mode="never")
    demo, starter = bearer(), bearer(STARTER_KEY)
    assert dinero.get(f"/v1/{ORG}/vatTypes", headers=demo).status_code == 200
    blocked = dinero.get(f"/v1/{ORG}/vatTypes", headers=demo)
    assert blocked.status_code == 429 and "Retry-After" not in blocked.headers
    assert dinero.get("/v1/organizations", headers=starter).status_code == 200
    time.sleep(0.35)
    assert dinero.get(f"/v1/{ORG}/vatTypes", headers=demo).status_code == 200


# --- knobs ----------------------------------------------------------------------------------


def test_error_rate_one_fails_before_writing(dinero, auth, knobs):
    knobs(error_rate=1.0)
    response = dinero.post(
        f"/v1/{ORG}/invoices", json=invoice_body(ExternalReference="x-500"), headers=auth
    )
    assert response.status_code == 500 and response.json["code"] == 500
    knobs(error_rate=0.0)
    url = f"/v1/{ORG}/invoices?queryFilter=ExternalReference eq 'x-500'"
    assert dinero.get(url, headers=auth).json["Collection"] == []


def test_timeout_after_commit_still_commits(dinero_app, knobs):
    knobs(timeout_after_commit_rate=1.0, timeout_after_commit_seconds=0.6)
    with serve_app(dinero_app) as base:
        token = token_request(dinero_app.test_client(), DEMO_KEY).json["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.post(
                f"{base}/v1/{ORG}/invoices",
                json=invoice_body(ExternalReference="rb-timeout-1"),
                headers=auth,
                timeout=0.2,
            )
        knobs(timeout_after_commit_rate=0.0)
        url = f"{base}/v1/{ORG}/invoices?queryFilter=ExternalReference eq 'rb-timeout-1'"
        assert len(requests.get(url, headers=auth, timeout=5).json()["Collection"]) == 1


def test_bad_knob_is_rejected(dinero):
    assert dinero.post("/_sandbox/knobs", json={"retry_after_mode": "sometimes"}).status_code == 400
    assert dinero.post("/_sandbox/knobs", json={"error_rate": 2}).status_code == 400


def test_request_counts_per_organization(dinero, auth):
    dinero.get(f"/v1/{ORG}/contacts", headers=auth)
    dinero.get(f"/v1/{ORG}/contacts", headers=auth)
    report = dinero.get(f"/_sandbox/requests?organization={ORG}").json
    assert {"method": "GET", "path": "/v1/{organizationId}/contacts", "count": 2} in report[ORG][
        "requests"
    ]


def test_reset_restores_the_seed(dinero, auth):
    create_invoice(dinero, auth)
    assert dinero.post("/_sandbox/reset").status_code == 200
    assert dinero.get(f"/v1/{ORG}/invoices", headers=auth).status_code == 401  # tokens forgotten


# --- other resources ------------------------------------------------------------------------


def test_cash_purchase_voucher_books_as_paid(dinero, auth):
    body = {
        "PurchaseType": "cash",
        "DepositAccountNumber": 55000,
        "Lines": [{"AccountNumber": 2000, "Description": "Kontorartikler", "Amount": 125.0}],
    }
    voucher = dinero.post(f"/v1.2/{ORG}/vouchers/purchase", json=body, headers=auth).json
    assert voucher["VoucherTotals"][1]["Total"] == 25.0
    booked = dinero.post(
        f"/v1/{ORG}/vouchers/purchase/{voucher['Guid']}/book",
        json={"Timestamp": voucher["Timestamp"]},
        headers=auth,
    ).json
    assert booked["Status"] == "Paid" and booked["VoucherNumber"] == 2


def test_manual_voucher_is_spelled_manuel(dinero, auth):
    body = {"Lines": [{"AccountNumber": 2100, "BalancingAccountNumber": 5800, "Amount": 500.0}]}
    assert dinero.post(f"/v1/{ORG}/vouchers/manual", json=body, headers=auth).status_code == 404
    voucher = dinero.post(f"/v1/{ORG}/vouchers/manuel", json=body, headers=auth).json
    booked = dinero.post(
        f"/v1/{ORG}/vouchers/manuel/{voucher['Guid']}/book",
        json={"Timestamp": voucher["Timestamp"]},
        headers=auth,
    ).json
    assert booked["Status"] == "Booked" and booked["TotalExclVat"] == 500.0


def test_credit_note_for_a_booked_invoice(dinero, auth):
    invoice = "a0000000-0000-4000-8000-000000000001"
    created = dinero.post(
        f"/v1/{ORG}/sales/creditnotes", json=invoice_body(CreditNoteFor=invoice), headers=auth
    ).json
    note = dinero.get(f"/v1/{ORG}/sales/creditnotes/{created['Guid']}", headers=auth).json
    assert note["CreditNoteFor"] == invoice and note["TotalInclVat"] == 225.0


def test_ui_shows_the_organizations(dinero):
    page = dinero.get("/").get_data(as_text=True)
    assert "Demo Lager ApS" in page and "Starter ApS" in page and "Nordisk Cykel A/S" in page


# --- text lines, the file archive, vouchers with files, "201, empty body" ---------------------


def test_a_text_line_needs_only_a_description(dinero, auth):
    text = {"LineType": "Text", "Description": "Levering uge 47"}
    invoice = create_invoice(dinero, auth, ProductLines=[*invoice_body()["ProductLines"], text])
    read = dinero.get(f"/v1/{ORG}/invoices/{invoice['Guid']}", headers=auth).json
    assert read["TotalExclVat"] == 180.0  # the text line adds nothing
    assert read["ProductLines"][1]["LineType"] == "Text"
    assert read["ProductLines"][1]["Description"] == "Levering uge 47"

    empty_text = dinero.post(
        f"/v1/{ORG}/invoices",
        json=invoice_body(ProductLines=[{"LineType": "Text"}]),
        headers=auth,
    )
    assert_validation_error(empty_text, "ProductLines[0].Description")
    product_line = dinero.post(
        f"/v1/{ORG}/invoices",
        json=invoice_body(ProductLines=[{"LineType": "Product", "Description": "Hjelm"}]),
        headers=auth,
    )
    assert_validation_error(product_line, "ProductLines[0].AccountNumber")


def upload(dinero, auth, name: str = "bilag.pdf", content: bytes = b"%PDF-1.4 bilag"):
    # Encoded as a client would send it (the test client would spool a large body to a file).
    files = {"file": (name, content, "application/pdf")}
    encoded = requests.Request("POST", "http://dinero", files=files).prepare()
    return dinero.post(
        f"/v1/{ORG}/files",
        data=encoded.body,
        content_type=encoded.headers["Content-Type"],
        headers=auth,
    )


def purchase_with_file(file_guid: str | None, reference: str = "rb:1") -> dict[str, Any]:
    return {
        "PurchaseType": "credit",
        "ContactGuid": "c0000000-0000-4000-8000-000000000005",
        "FileGuid": file_guid,
        "ExternalReference": reference,
        "Lines": [{"AccountNumber": 2000, "Description": "Varekøb", "Amount": 125.0}],
    }


def test_an_upload_answers_its_file_guid_and_can_be_downloaded(dinero, auth):
    response = upload(dinero, auth)
    assert response.status_code == 200 and set(response.json) == {"FileGuid"}
    file_guid = response.json["FileGuid"]
    download = dinero.get(f"/v1/{ORG}/files/{file_guid}", headers=auth)
    assert download.status_code == 200 and download.data == b"%PDF-1.4 bilag"
    assert download.mimetype == "application/pdf"
    assert dinero.get(f"/v1/{ORG}/files/{NORDISK}", headers=auth).json["code"] == 40


def test_an_upload_above_6_mb_or_without_a_file_is_a_400_with_a_text_body():
    # Response checking is off: the upload's documented 400 body is a JSON string.
    app = create_app({"TESTING": True})
    dinero = app.test_client()
    token = token_request(dinero, DEMO_KEY).json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    too_big = upload(dinero, auth, content=b"%PDF" + b"0" * (6 * 1024 * 1024))
    assert too_big.status_code == 400 and isinstance(too_big.json, str)
    missing = dinero.post(
        f"/v1/{ORG}/files", data={}, content_type="multipart/form-data", headers=auth
    )
    assert missing.status_code == 400 and isinstance(missing.json, str)
    assert upload(dinero, auth, content=b"%PDF" + b"0" * (6 * 1024 * 1024 - 4)).status_code == 200


def test_the_file_list_filters_and_names_the_vouchers_a_file_is_on(dinero, auth):
    used = upload(dinero, auth, "bilag-1.pdf").json["FileGuid"]
    upload(dinero, auth, "foto.png", b"\x89PNG")
    voucher = dinero.post(
        f"/v1.2/{ORG}/vouchers/purchase", json=purchase_with_file(used), headers=auth
    ).json

    def names(**query: str) -> list[str]:
        response = dinero.get(f"/v1/{ORG}/files", query_string=query, headers=auth)
        assert response.status_code == 200, response.json
        return sorted(file["Name"] for file in response.json)

    today = time.strftime("%Y/%m/%d", time.gmtime())
    assert names() == ["bilag-1.pdf", "foto.png"]
    assert names(extensions="pdf,csv") == ["bilag-1.pdf"]
    assert names(fileStatus="Used") == ["bilag-1.pdf"]
    assert names(fileStatus="Unused") == ["foto.png"]
    assert names(uploadedAfter=today) == ["bilag-1.pdf", "foto.png"]
    assert names(uploadedBefore=today) == []
    assert names(pageSize="1", page="1") and len(names(pageSize="1", page="1")) == 1
    (listed,) = dinero.get(f"/v1/{ORG}/files?extensions=pdf", headers=auth).json
    assert [link["VoucherGuid"] for link in listed["Linked"]] == [voucher["Guid"]]
    bad_date = dinero.get(f"/v1/{ORG}/files?uploadedAfter=2026-11-01", headers=auth)
    assert_validation_error(bad_date, "uploadedAfter")
    assert_validation_error(
        dinero.get(f"/v1/{ORG}/files?fileStatus=New", headers=auth), "fileStatus"
    )


def test_a_purchase_voucher_takes_only_a_file_in_the_archive(dinero, auth):
    unknown = dinero.post(
        f"/v1.2/{ORG}/vouchers/purchase", json=purchase_with_file(NORDISK), headers=auth
    )
    assert_validation_error(unknown, "FileGuid")
    file_guid = upload(dinero, auth).json["FileGuid"]
    voucher = dinero.post(
        f"/v1.2/{ORG}/vouchers/purchase", json=purchase_with_file(file_guid), headers=auth
    ).json
    read = dinero.get(f"/v1/{ORG}/vouchers/purchase/{voucher['Guid']}", headers=auth).json
    assert read["FileGuid"] == file_guid
    manual = {"FileGuid": NORDISK, "Lines": [{"AccountNumber": 2100, "Amount": 1.0}]}
    assert_validation_error(
        dinero.post(f"/v1/{ORG}/vouchers/manuel", json=manual, headers=auth), "FileGuid"
    )


def test_fileguid_lists_the_purchase_drafts_carrying_the_file(dinero, auth):
    file_guid = upload(dinero, auth).json["FileGuid"]
    by_file = f"/v1/{ORG}/vouchers/purchase/fileguid/{file_guid}"
    assert dinero.get(by_file, headers=auth).json == []
    first, second = (
        dinero.post(
            f"/v1.2/{ORG}/vouchers/purchase",
            json=purchase_with_file(file_guid, reference),
            headers=auth,
        ).json
        for reference in ("rb:1", "rb:2")
    )
    assert sorted(dinero.get(by_file, headers=auth).json) == sorted([first["Guid"], second["Guid"]])
    dinero.post(
        f"/v1/{ORG}/vouchers/purchase/{first['Guid']}/book",
        json={"Timestamp": first["Timestamp"]},
        headers=auth,
    )
    # "Get purchase draft Guid by fileGuid": a booked voucher is no longer listed here.
    assert dinero.get(by_file, headers=auth).json == [second["Guid"]]


def test_creates_can_be_answered_201_with_an_empty_body(dinero, auth, knobs):
    knobs(empty_created_rate=1.0)
    created = dinero.post(f"/v1/{ORG}/invoices", json=invoice_body(), headers=auth)
    assert (created.status_code, created.data) == (201, b"")
    assert upload(dinero, auth).status_code == 201
    # Only creates: reads and books answer as always.
    assert dinero.get(f"/v1/{ORG}/vatTypes", headers=auth).status_code == 200
    knobs(empty_created_rate=0.0)
    assert dinero.post(f"/v1/{ORG}/invoices", json=invoice_body(), headers=auth).status_code == 200
    listed = dinero.get(f"/v1/{ORG}/invoices?pageSize=1000", headers=auth).json
    assert listed["Pagination"]["Result"] == 3 + 2  # the seed's three and both creates


def test_the_ui_links_a_voucher_to_its_file(dinero, auth):
    file_guid = upload(dinero, auth, "faktura-5001.pdf").json["FileGuid"]
    dinero.post(f"/v1.2/{ORG}/vouchers/purchase", json=purchase_with_file(file_guid), headers=auth)
    page = dinero.get("/").get_data(as_text=True)
    link = f"/ui/{ORG}/files/{file_guid}"
    assert f'<a href="{link}">faktura-5001.pdf</a>' in page
    assert dinero.get(link).data == b"%PDF-1.4 bilag"
