"""The units products use and the layouts customers use are read from Rackbeat once and cached
per connection; a product or customer webhook makes the next page read them again."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs

import pytest
from redis import Redis

from rackdinero_app.catalogue_cache import InUse
from rackdinero_app.catalogue_cache import forget_in_use
from rackdinero_app.catalogue_cache import in_use
from rackdinero_app.install import manifest
from rackdinero_app.models import WebhookSubscription
from sandbox.rackbeat.records.contacts import update_contact
from sandbox.rackbeat.records.products import update_product
from sandbox.rackbeat.seed import DEMO_ACCOUNT_ID
from sandbox.services import free_port


@pytest.fixture
def pagings(stack):
    """How often the app starts paging through each Rackbeat list (a request for page 1)."""
    counts: Counter[str] = Counter()
    inner = stack.rackbeat.wsgi_app

    def counting(environ, start_response):
        page = parse_qs(environ.get("QUERY_STRING", "")).get("page", ["1"])
        if environ["REQUEST_METHOD"] == "GET" and page == ["1"]:
            counts[environ["PATH_INFO"]] += 1
        return inner(environ, start_response)

    stack.rackbeat.wsgi_app = counting
    yield counts
    stack.rackbeat.wsgi_app = inner


def open_page(stack, browser, session, section):
    page = browser.get(f"{stack.app_url}/embedded/settings/{section}", params={"s": session})
    assert page.status_code == 200 and 'id="rackbeat-unavailable"' not in page.text
    return page


def change_in_rackbeat(stack, change) -> None:
    """Change a record in the Rackbeat sandbox (it sends the webhook) and wait for delivery."""
    store = stack.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        change(store, store.account(DEMO_ACCOUNT_ID))
    assert store.outbox.wait_idle(30)
    assert all(entry["success"] for entry in store.outbox.logs())


def test_products_are_paged_once_until_a_product_webhook(stack, browser, pagings, active_session):
    open_page(stack, browser, active_session, "units")
    open_page(stack, browser, active_session, "purchase")
    # The launch opened the overview too: three pages, one paging through the products.
    assert pagings["/api/products"] == 1

    change_in_rackbeat(
        stack, lambda store, account: update_product(store, account, "200", {"unit": 1})
    )
    open_page(stack, browser, active_session, "units")
    assert pagings["/api/products"] == 2
    assert pagings["/api/customers"] == 1  # a product webhook leaves the customers' layouts
    open_page(stack, browser, active_session, "units")
    assert pagings["/api/products"] == 2


def test_customers_are_paged_again_after_a_customer_webhook(
    stack, browser, pagings, active_session
):
    open_page(stack, browser, active_session, "units")
    assert pagings["/api/customers"] == 1

    change_in_rackbeat(
        stack,
        lambda store, account: update_contact(store, account, "customers", 2, {"layout_id": 2}),
    )
    open_page(stack, browser, active_session, "sales")
    assert pagings["/api/customers"] == 2 and pagings["/api/products"] == 1


def test_a_list_read_while_a_webhook_arrived_is_not_taken_for_current(app):
    def read_during_a_webhook():
        forget_in_use(7, "product.updated")  # the product changed while we were paging
        return ["1"]

    assert in_use(7, InUse.UNITS, read_during_a_webhook) == {"1"}
    assert in_use(7, InUse.UNITS, lambda: ["1", "3"]) == {"1", "3"}  # read again
    assert in_use(7, InUse.UNITS, lambda: pytest.fail("should be cached")) == {"1", "3"}
    forget_in_use(7, "customer.updated")  # another list's event
    assert in_use(7, InUse.UNITS, lambda: pytest.fail("should be cached")) == {"1", "3"}
    forget_in_use(8, "product.created")  # another connection's
    assert in_use(7, InUse.UNITS, lambda: pytest.fail("should be cached")) == {"1", "3"}


def test_a_product_webhook_is_accepted_while_redis_is_down(app, client, make_connection, db):
    connection = make_connection(rackbeat_account_id=12345)
    for event in manifest.webhook_events():
        connection.webhook_subscriptions.append(WebhookSubscription(event=event, token="tok"))
    db.session.commit()
    state = app.extensions["rackdinero.rq"]
    live, state["redis"] = state["redis"], Redis(port=free_port(), socket_connect_timeout=1)
    try:
        response = client.post(
            "/webhooks/rackbeat",
            data=json.dumps({"key": "200", "key_name": "number", "event": "product.updated"}),
            headers={
                "Rackbeat-Webhook-Event": "product.updated",
                "Rackbeat-Webhook-Token": "tok",
                "Rackbeat-Account-Id": "12345",
                "Content-Type": "application/json",
            },
        )
    finally:
        state["redis"] = live
    assert response.status_code == 202, response.get_data(as_text=True)
