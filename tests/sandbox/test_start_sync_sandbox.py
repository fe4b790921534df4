"""What the start sync needs from the sandboxes: Rackbeat's list filters and per-token rate
limit, its request counts; Dinero's contacts and products lists (fields, paging) and a way to
seed many records fast."""

from __future__ import annotations

import time

import pytest

from sandbox.dinero import bulk
from sandbox.dinero import create_app as create_dinero
from sandbox.dinero.seed import DEMO_ORGANIZATION_ID
from sandbox.rackbeat import create_app as create_rackbeat
from tests.sandbox.test_dinero_sandbox import token_request
from tests.sandbox.test_rackbeat_sandbox import bearer
from tests.sandbox.test_rackbeat_sandbox import install

ORG = str(DEMO_ORGANIZATION_ID)


# -- Rackbeat ---------------------------------------------------------------------------------


@pytest.fixture
def rackbeat():
    app = create_rackbeat({"TESTING": True, "SEED": 1})
    yield app
    app.extensions["rackbeat_sandbox"].outbox.close()


@pytest.fixture
def rb(rackbeat):
    return rackbeat.test_client()


def test_a_customer_is_found_by_its_email_and_a_product_by_its_number(rb):
    headers = bearer(install(rb))

    found = rb.get(
        "/api/customers",
        query_string={"simple_filter[contact_email]": "faktura@jensen-co.dk"},
        headers=headers,
    )
    product = rb.get(
        "/api/products", query_string={"simple_filter[number]": "CHAIR-OAK-01"}, headers=headers
    )
    missing = rb.get(
        "/api/products", query_string={"simple_filter[number]": "NO/SUCH"}, headers=headers
    )

    assert found.status_code == 206
    assert [c["number"] for c in found.json["customers"]] == [2]
    assert (found.json["total"], found.json["pages"]) == (1, 1)
    assert [p["name"] for p in product.json["products"]] == ["Barstol, eg"]
    assert missing.json["products"] == [] and missing.json["total"] == 0


def test_the_number_filter_compares_text_as_every_filter_does(rb):
    headers = bearer(install(rb))
    exact = rb.get("/api/customers", query_string={"simple_filter[number]": "2"}, headers=headers)
    padded = rb.get("/api/customers", query_string={"simple_filter[number]": "02"}, headers=headers)
    assert [c["number"] for c in exact.json["customers"]] == [2]
    assert padded.json["customers"] == []


def test_a_created_customer_with_suppressed_webhooks_is_found_at_once(rb):
    headers = bearer(install(rb))
    created = rb.post(
        "/api/customers?suppress_webhooks=true",
        json={
            "company_name": "Ny Kunde ApS",
            "contact_email": "ny@kunde.dk",
            "payment_terms_id": 2,
        },
        headers=headers,
    )
    assert created.status_code == 201
    found = rb.get(
        "/api/customers",
        query_string={"simple_filter[contact_email]": "ny@kunde.dk"},
        headers=headers,
    )
    assert found.json["customers"][0]["number"] == created.json["customer"]["number"]
    assert rb.get("/_sandbox/outbox").json["pending"] == 0


def test_answers_are_copies_the_caller_cannot_change_the_store_through(rb, rackbeat):
    headers = bearer(install(rb))
    rb.get("/api/products", headers=headers).json["products"][0]["name"] = "changed"
    store = rackbeat.extensions["rackbeat_sandbox"]
    assert store.account(12345).records["products"]["100"]["name"] == "Egetræsbord"


def test_requests_are_counted_per_account_including_refused_ones(rb):
    headers = bearer(install(rb))
    rb.post("/_sandbox/knobs", json={"rate_limit_per_minute": 2})
    statuses = [rb.get("/api/units", headers=headers).status_code for _ in range(3)]
    assert statuses == [206, 206, 429]
    assert rb.get("/_sandbox/requests").json == {"12345": {"requests": 3, "refused": 1}}
    rb.post("/_sandbox/reset")
    assert rb.get("/_sandbox/requests").json == {}


def test_the_rate_limit_is_a_sliding_minute_per_token(rb, rackbeat, monkeypatch):
    headers = bearer(install(rb))
    rb.post("/_sandbox/knobs", json={"rate_limit_per_minute": 2})
    clock = [1000.0]
    monkeypatch.setattr("sandbox.rackbeat.api.time.monotonic", lambda: clock[0])
    assert rb.get("/api/units", headers=headers).status_code == 206
    clock[0] += 30
    assert rb.get("/api/units", headers=headers).status_code == 206
    refused = rb.get("/api/units", headers=headers)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    clock[0] += 30.5  # the first call left the window
    assert rb.get("/api/units", headers=headers).status_code == 206


# -- Dinero -----------------------------------------------------------------------------------


@pytest.fixture
def dinero_app():
    return create_dinero({"TESTING": True, "VALIDATE_RESPONSES": True})


@pytest.fixture
def dinero(dinero_app):
    return dinero_app.test_client()


@pytest.fixture
def auth(dinero):
    token = token_request(dinero, "demo-dinero-api-key").json["access_token"]
    return {"Authorization": f"Bearer {token}"}


def organization(dinero_app):
    return dinero_app.extensions["dinero_sandbox"].organizations[DEMO_ORGANIZATION_ID]


def test_twenty_thousand_records_are_seeded_in_a_moment(dinero_app):
    started = time.monotonic()
    made = bulk.add(
        organization(dinero_app),
        bulk.Bulk(contacts=10_000, products=10_000, no_email_every=10, no_number_every=5),
    )
    assert made == {"contacts": 10_000, "products": 10_000}
    assert time.monotonic() - started < 10
    products = organization(dinero_app).products.values()
    assert sum(1 for p in products if p["ProductNumber"] is None) == 2_000 + 2  # + the seed's


def test_contacts_list_their_role_and_email_page_by_page(dinero, dinero_app, auth):
    bulk.add(organization(dinero_app), bulk.Bulk(contacts=250, no_email_every=5, supplier_every=4))
    fields = "ContactGuid,Name,Email,IsDebitor,IsCreditor"
    pages = [
        dinero.get(
            f"/v2/{ORG}/contacts",
            query_string={"fields": fields, "page": page, "pageSize": 100},
            headers=auth,
        ).json
        for page in range(3)
    ]
    assert [page["Pagination"]["Result"] for page in pages] == [100, 100, 57]  # 7 seeded + 250
    bulk_contacts = [
        c for page in pages for c in page["Collection"] if c["Name"].startswith("Bulk")
    ]
    assert set(bulk_contacts[0]) == {"ContactGuid", "Name", "Email", "IsDebitor", "IsCreditor"}
    assert sum(1 for c in bulk_contacts if c["Email"] is None) == 50
    assert sum(1 for c in bulk_contacts if c["IsCreditor"] and not c["IsDebitor"]) == 62


def test_products_list_with_their_numbers_and_stop_on_a_short_page(dinero, dinero_app, auth):
    bulk.add(organization(dinero_app), bulk.Bulk(products=95, no_number_every=10))
    answer = dinero.get(
        f"/v1/{ORG}/products",
        query_string={"fields": "ProductGuid,ProductNumber,Name", "pageSize": 1000},
        headers=auth,
    ).json
    assert answer["Pagination"]["Result"] == 100 < answer["Pagination"]["PageSize"]
    numbers = [p["ProductNumber"] for p in answer["Collection"]]
    assert numbers.count(None) == 2 + 9 and "bulk-000001" in numbers


def test_bulk_seeding_over_http_checks_what_it_is_given(dinero):
    assert dinero.post("/_sandbox/bulk", json={"organization": 1, "contacts": 1}).status_code == 404
    assert (
        dinero.post("/_sandbox/bulk", json={"organization": 400555, "contacts": -1}).status_code
        == 400
    )
    assert (
        dinero.post("/_sandbox/bulk", json={"organization": 400555, "colour": 1}).status_code == 400
    )
    made = dinero.post("/_sandbox/bulk", json={"organization": 400555, "products": 3})
    assert made.status_code == 200 and made.json == {"contacts": 0, "products": 3}
