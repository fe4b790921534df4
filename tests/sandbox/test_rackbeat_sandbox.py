"""The Rackbeat sandbox keeps the contract of DESIGN §2 strictly: install, OAuth, API, webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.errors import ExpiredTokenError
from joserfc.jwk import OctKey
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from sandbox.rackbeat import create_app
from tests.servers import serve_app

APP_BASE_URL = "http://127.0.0.1:5000"
CLIENT_ID = "rackdinero-demo"
CLIENT_SECRET = "rackdinero-demo-rackbeat-secret"
REDIRECT_URI = APP_BASE_URL + "/install/callback"
PUBLIC_URL = "http://127.0.0.1:5001"
ALL_SCOPES = "customers suppliers products invoices webhooks plugins"


@pytest.fixture
def rackbeat() -> Iterator[Flask]:
    app = create_app({"TESTING": True, "SEED": 1})
    yield app
    app.extensions["rackbeat_sandbox"].outbox.close()


@pytest.fixture
def rb(rackbeat: Flask) -> FlaskClient:
    return rackbeat.test_client()


class Receiver:
    """A webhook endpoint that records each delivery and answers with queued status codes."""

    def __init__(self) -> None:
        self.deliveries: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self.deliveries.append(
                {"headers": dict(request.headers), "body": json.loads(request.get_data())}
            )
            status = self.statuses.pop(0) if self.statuses else 200
        return Response("ok", status=status)(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    endpoint = Receiver()
    with serve_app(endpoint) as url:
        yield endpoint, url + "/webhooks/rackbeat"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": ALL_SCOPES,
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value != ""}


def obtain_code(rb: FlaskClient, challenge: str, account: int | None = None) -> str:
    if account is not None:
        rb.get(f"/?account={account}")
    consent = rb.get("/oauth/authorize", query_string=authorize_params(challenge))
    assert consent.status_code == 200
    request_id = re.search(r'name="request_id" value="([^"]+)"', consent.text).group(1)
    answer = rb.post("/oauth/authorize", data={"request_id": request_id, "decision": "allow"})
    query = parse_qs(urlsplit(answer.location).query)
    assert answer.location.startswith(REDIRECT_URI + "?")
    assert query["state"] == ["state-123"]
    return query["code"][0]


def exchange(rb: FlaskClient, code: str, verifier: str) -> Any:
    return rb.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )


def refresh(rb: FlaskClient, refresh_token: str) -> Any:
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    return rb.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        headers={"Authorization": f"Basic {basic}"},
    )


def install(rb: FlaskClient, account: int | None = None) -> dict[str, Any]:
    verifier, challenge = pkce_pair()
    response = exchange(rb, obtain_code(rb, challenge, account), verifier)
    assert response.status_code == 200, response.json
    return response.json


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def subscribe(rb: FlaskClient, tokens: dict[str, Any], event: str, url: str) -> dict[str, Any]:
    response = rb.post("/api/webhooks", json={"event": event, "url": url}, headers=bearer(tokens))
    assert response.status_code == 201
    return response.json["webhook"]


def flush(rb: FlaskClient) -> None:
    response = rb.post("/_sandbox/flush-webhooks?timeout=10")
    assert response.json["idle"] is True


# Install redirect


def test_install_redirect_is_hmac_signed_with_the_client_secret_and_fresh(rb: FlaskClient):
    response = rb.get("/apps/dinero/install")

    parts = urlsplit(response.location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == APP_BASE_URL + "/install"
    params = dict(parse_qsl(parts.query))
    assert params["account_id"] == "12345"
    assert abs(int(params["timestamp"]) - time.time()) < 5
    unsigned = urlencode(sorted((k, v) for k, v in params.items() if k != "hmac"))
    expected = hmac.new(CLIENT_SECRET.encode(), unsigned.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(params["hmac"], expected)


def test_signup_creates_a_new_account_and_continues_into_install(rb: FlaskClient):
    response = rb.post(
        "/signup", data={"company_name": "Ny Butik ApS", "name": "Ny", "email": "a@b.dk"}
    )
    install_redirect = rb.get(response.location)

    params = dict(parse_qsl(urlsplit(install_redirect.location).query))
    assert params["account_id"] not in ("12345", "23456")
    assert urlsplit(install_redirect.location).path == "/install"


# OAuth


def test_authorize_refuses_an_unregistered_redirect_uri_without_redirecting(rb: FlaskClient):
    _, challenge = pkce_pair()
    params = authorize_params(challenge, redirect_uri="https://evil.example/callback")

    response = rb.get("/oauth/authorize", query_string=params)

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "redirect_uri" in response.text


def test_authorize_requires_pkce(rb: FlaskClient):
    _, challenge = pkce_pair()
    missing = rb.get("/oauth/authorize", query_string=authorize_params("", code_challenge=""))
    plain = rb.get(
        "/oauth/authorize", query_string=authorize_params(challenge, code_challenge_method="plain")
    )

    for response in (missing, plain):
        assert response.status_code == 302
        assert response.location.startswith(REDIRECT_URI + "?")
        query = parse_qs(urlsplit(response.location).query)
        assert query["error"] == ["invalid_request"]
        assert query["state"] == ["state-123"]
        assert "code" not in query


def test_code_and_pkce_exchange_gives_tokens_for_the_signed_in_account(rb: FlaskClient):
    tokens = install(rb)

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 300
    assert set(tokens["scope"].split()) == set(ALL_SCOPES.split())
    me = rb.get("/api/self", headers=bearer(tokens)).json
    assert me["user_account"]["id"] == 12345
    assert me["user"] == {"id": 7, "name": "Mette Demo", "email": "mette@demo-lager.dk"}


def test_wrong_code_verifier_is_rejected(rb: FlaskClient):
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()

    response = exchange(rb, obtain_code(rb, challenge), other_verifier)

    assert response.status_code == 400
    assert response.json["error"] == "invalid_grant"


def test_reused_code_is_rejected_and_revokes_the_tokens_it_issued(rb: FlaskClient):
    verifier, challenge = pkce_pair()
    code = obtain_code(rb, challenge)
    tokens = exchange(rb, code, verifier).json

    replay = exchange(rb, code, verifier)

    assert replay.status_code == 400
    assert replay.json["error"] == "invalid_grant"
    assert rb.get("/api/self", headers=bearer(tokens)).status_code == 401
    assert refresh(rb, tokens["refresh_token"]).json["error"] == "invalid_grant"


def test_refresh_rotates_and_the_old_refresh_token_is_rejected(rb: FlaskClient):
    first = install(rb)

    second = refresh(rb, first["refresh_token"])
    replay = refresh(rb, first["refresh_token"])

    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    assert second.json["access_token"] != first["access_token"]
    assert rb.get("/api/self", headers=bearer(second.json)).status_code == 200
    assert replay.status_code == 400
    assert replay.json["error"] == "invalid_grant"


def test_expired_access_token_gets_401_json(rb: FlaskClient):
    tokens = install(rb)
    rb.post("/_sandbox/knobs", json={"clock_offset_seconds": 301})

    response = rb.get("/api/customers", headers=bearer(tokens))

    assert response.status_code == 401
    assert response.json == {"message": "Unauthenticated."}


def test_tokens_are_bound_to_one_account(rb: FlaskClient):
    demo = install(rb)
    other = install(rb, account=23456)

    assert rb.get("/api/self", headers=bearer(other)).json["user_account"]["id"] == 23456
    assert rb.get("/api/customers/6", headers=bearer(demo)).status_code == 200
    assert rb.get("/api/customers/6", headers=bearer(other)).status_code == 404


# API shapes


def test_lists_are_206_with_the_envelope_and_one_based_pages(rb: FlaskClient):
    headers = bearer(install(rb))

    first = rb.get("/api/customers?limit=4", headers=headers)
    second = rb.get("/api/customers?limit=4&page=2", headers=headers)

    assert first.status_code == 206
    assert {k: first.json[k] for k in ("total", "pages", "limit", "page")} == {
        "total": 6,
        "pages": 2,
        "limit": 4,
        "page": 1,
    }
    assert [c["number"] for c in first.json["customers"]] == [1, 2, 3, 4]
    assert [c["number"] for c in second.json["customers"]] == [5, 6]


@pytest.mark.parametrize("query", ["limit=1001", "limit=0", "page=0"])
def test_limit_and_page_out_of_range_are_422(rb: FlaskClient, query: str):
    response = rb.get(f"/api/products?{query}", headers=bearer(install(rb)))

    assert response.status_code == 422
    assert list(response.json["errors"]) == [query.split("=")[0]]


def test_bad_create_gets_422_with_field_and_dotted_line_errors(rb: FlaskClient):
    headers = bearer(install(rb))

    customer = rb.post("/api/customers", json={"contact_email": "nope"}, headers=headers)
    invoice = rb.post(
        "/api/customer-invoices",
        json={"customer_id": 1, "lines": [{"child_id": "100", "quantity": "many"}]},
        headers=headers,
    )

    assert customer.status_code == 422
    assert set(customer.json["errors"]) == {"company_name", "contact_email", "payment_terms_id"}
    assert all(isinstance(m, list) and m for m in customer.json["errors"].values())
    assert invoice.status_code == 422
    assert list(invoice.json["errors"]) == ["lines.0.quantity"]


def test_single_records_come_under_a_singular_key(rb: FlaskClient):
    response = rb.get("/api/products/CHAIR-OAK-01", headers=bearer(install(rb)))

    assert response.status_code == 200
    assert response.json["product"]["group"] == 1
    assert response.json["product"]["unit"] == 2


# Webhooks


def test_booking_an_invoice_fires_customer_invoice_booked_with_headers_and_token(
    rb: FlaskClient, receiver: tuple[Receiver, str]
):
    endpoint, url = receiver
    rb.post("/_sandbox/knobs", json={"webhook_body": "documented"})
    tokens = install(rb)
    webhook = subscribe(rb, tokens, "customer_invoice.booked", url)
    assert len(webhook["token"]) == 32

    booked = rb.post("/api/customer-invoices/1004/book", headers=bearer(tokens))
    flush(rb)

    assert booked.json["customer_invoice"]["is_booked"] is True
    [delivery] = endpoint.deliveries
    assert delivery["headers"]["Rackbeat-Webhook-Token"] == webhook["token"]
    assert delivery["headers"]["Rackbeat-Webhook-Event"] == "customer_invoice.booked"
    assert delivery["headers"]["Rackbeat-Account-Id"] == "12345"
    assert delivery["headers"]["User-Agent"] == "Rackbeat Webhook"
    assert delivery["body"]["key"] == 1004
    assert delivery["body"]["key_name"] == "number"
    assert delivery["body"]["event"] == "customer_invoice.booked"


def test_reposting_a_webhook_updates_it_and_omits_the_token(rb: FlaskClient):
    tokens = install(rb)
    body = {"event": "customer.created", "url": "http://127.0.0.1:9/hook"}
    rb.post("/api/webhooks", json=body, headers=bearer(tokens))

    again = rb.post("/api/webhooks", json={**body, "is_active": False}, headers=bearer(tokens))

    assert again.status_code == 200
    assert "token" not in again.json["webhook"]
    assert again.json["webhook"]["is_active"] is False
    assert rb.get("/api/webhooks", headers=bearer(tokens)).json["total"] == 1


def test_suppress_webhooks_fires_nothing(rb: FlaskClient, receiver: tuple[Receiver, str]):
    endpoint, url = receiver
    tokens = install(rb)
    subscribe(rb, tokens, "customer.created", url)

    rb.post(
        "/api/customers?suppress_webhooks=true",
        json={"company_name": "Stille A/S"},
        headers=bearer(tokens),
    )
    rb.post(
        "/api/customers",
        json={"company_name": "Tavs A/S", "payment_terms_id": 1, "suppress_webhooks": True},
        headers=bearer(tokens),
    )
    loud = rb.post(
        "/api/customers",
        json={"company_name": "Høj A/S", "payment_terms_id": 1},
        headers=bearer(tokens),
    )
    flush(rb)

    assert [d["body"]["key"] for d in endpoint.deliveries] == [str(loud.json["customer"]["number"])]


def test_updated_event_carries_old_key_new_key_and_changed(
    rb: FlaskClient, receiver: tuple[Receiver, str]
):
    endpoint, url = receiver
    rb.post("/_sandbox/knobs", json={"webhook_body": "documented"})
    tokens = install(rb)
    subscribe(rb, tokens, "customer.updated", url)

    rb.put(
        "/api/customers/2",
        json={"number": 99, "contact_email": "ny@jensen.dk"},
        headers=bearer(tokens),
    )
    flush(rb)

    body = endpoint.deliveries[0]["body"]
    assert (body["old_key"], body["new_key"], body["key"]) == (2, 99, 99)
    assert sorted(body["changed"]) == ["contact_email", "number"]


def test_failing_receiver_gets_retries_until_it_succeeds(
    rb: FlaskClient, receiver: tuple[Receiver, str]
):
    endpoint, url = receiver
    endpoint.statuses = [500, 503]
    rb.post("/_sandbox/knobs", json={"webhook_retry_base_seconds": 0.02, "webhook_max_attempts": 5})
    tokens = install(rb)
    webhook = subscribe(rb, tokens, "product.created", url)

    rb.post(
        "/api/products", json={"number": "X-1", "name": "Ny", "group": 1}, headers=bearer(tokens)
    )
    flush(rb)

    assert len(endpoint.deliveries) == 3
    logs = rb.get(f"/api/webhooks/{webhook['id']}/logs", headers=bearer(tokens)).json["logs"]
    assert [(log["attempt"], log["status_code"]) for log in reversed(logs)] == [
        (1, 500),
        (2, 503),
        (3, 200),
    ]


def test_retries_stop_at_max_attempts(rb: FlaskClient, receiver: tuple[Receiver, str]):
    endpoint, url = receiver
    endpoint.statuses = [500] * 10
    rb.post("/_sandbox/knobs", json={"webhook_retry_base_seconds": 0.01, "webhook_max_attempts": 2})
    tokens = install(rb)
    webhook = subscribe(rb, tokens, "product.created", url)

    rb.post(
        "/api/products", json={"number": "X-2", "name": "Ny", "group": 3}, headers=bearer(tokens)
    )
    flush(rb)

    assert len(endpoint.deliveries) == 2
    shown = rb.get(f"/api/webhooks/{webhook['id']}", headers=bearer(tokens)).json["webhook"]
    assert shown["failures_since_last_success"] == 2


def test_duplicate_rate_one_delivers_every_event_twice(
    rb: FlaskClient, receiver: tuple[Receiver, str]
):
    endpoint, url = receiver
    rb.post("/_sandbox/knobs", json={"webhook_duplicate_rate": 1.0})
    tokens = install(rb)
    subscribe(rb, tokens, "supplier_invoice.booked", url)

    rb.post("/api/supplier-invoices/5003/book", headers=bearer(tokens))
    flush(rb)

    assert [d["body"]["key"] for d in endpoint.deliveries] == ["5003", "5003"]
    assert endpoint.deliveries[0]["body"] == endpoint.deliveries[1]["body"]


def test_duplicates_come_up_to_max_copies_times_and_jitter_reorders_them(
    rb: FlaskClient, receiver: tuple[Receiver, str]
):
    endpoint, url = receiver
    knobs = {"webhook_duplicate_rate": 1.0, "webhook_max_copies": 3, "webhook_jitter_ms": 300}
    assert rb.post("/_sandbox/knobs", json={**knobs, "seed": 7}).status_code == 200
    tokens = install(rb)
    subscribe(rb, tokens, "product.created", url)

    numbers = [f"J-{index}" for index in range(1, 7)]
    for number in numbers:
        product = {"number": number, "name": "Ny", "group": 3}
        assert rb.post("/api/products", json=product, headers=bearer(tokens)).status_code < 300
    flush(rb)

    keys = [d["body"]["key"] for d in endpoint.deliveries]
    copies = {number: keys.count(number) for number in numbers}
    assert set(copies.values()) <= {2, 3} and 3 in copies.values(), copies
    firsts = sorted(set(keys), key=keys.index)
    assert firsts != numbers  # the jitter let a later event overtake an earlier one
    assert rb.post("/_sandbox/knobs", json={"webhook_max_copies": 6}).status_code == 422


# Settings host and uninstall


def launch_url(rb: FlaskClient) -> str:
    page = rb.get("/settings/apps/dinero")
    assert page.status_code == 200
    return re.search(r'<iframe[^>]*src="([^"]+)"', page.text).group(1).replace("&amp;", "&")


def test_launch_jwt_has_the_contract_claims_and_expires_after_60_seconds(rb: FlaskClient):
    tokens = install(rb)
    rb.post(
        "/api/plugins/dinero/set-settings-url",
        json={"settings_url": APP_BASE_URL + "/embedded/launch?from=rackbeat"},
        headers=bearer(tokens),
    )

    url = launch_url(rb)
    token = parse_qs(urlsplit(url).query)["launch"][0]
    decoded = jwt.decode(token, OctKey.import_key(CLIENT_SECRET), algorithms=["HS256"])
    claims = decoded.claims

    assert url.startswith(APP_BASE_URL + "/embedded/launch?from=rackbeat&launch=")
    assert decoded.header["alg"] == "HS256"
    assert (claims["iss"], claims["aud"], claims["sub"]) == (PUBLIC_URL, CLIENT_ID, "12345")
    assert claims["user"] == {
        "id": 7,
        "name": "Mette Demo",
        "email": "mette@demo-lager.dk",
        "locale": "da",
    }
    assert claims["exp"] - claims["iat"] == 60
    assert abs(claims["iat"] - time.time()) < 5
    jwt.JWTClaimsRegistry(now=claims["iat"] + 59).validate(claims)
    with pytest.raises(ExpiredTokenError):
        jwt.JWTClaimsRegistry(now=claims["iat"] + 61).validate(claims)
    second = parse_qs(urlsplit(launch_url(rb)).query)["launch"][0]
    assert jwt.decode(second, OctKey.import_key(CLIENT_SECRET)).claims["jti"] != claims["jti"]


def test_settings_page_resizes_only_on_messages_from_the_app_origin(rb: FlaskClient):
    install(rb)

    page = rb.get("/settings/apps/dinero").text

    assert 'var appOrigin = "http://127.0.0.1:5000";' in page
    assert "event.origin !== appOrigin" in page


def test_uninstall_fires_plugin_uninstalled_and_revokes_tokens(
    rb: FlaskClient, receiver: tuple[Receiver, str]
):
    endpoint, url = receiver
    tokens = install(rb)
    subscribe(rb, tokens, "plugin.uninstalled", url)

    rb.post("/settings/apps/dinero/uninstall")
    flush(rb)

    [delivery] = endpoint.deliveries
    assert delivery["headers"]["Rackbeat-Webhook-Event"] == "plugin.uninstalled"
    assert delivery["body"]["key"] == "12345"
    assert rb.get("/api/self", headers=bearer(tokens)).status_code == 401
    assert refresh(rb, tokens["refresh_token"]).json["error"] == "invalid_grant"
    assert rb.get("/settings/apps/dinero").status_code == 404


# Knobs


def test_error_rate_one_answers_500_on_the_api(rb: FlaskClient):
    tokens = install(rb)
    rb.post("/_sandbox/knobs", json={"error_rate": 1})

    assert rb.get("/api/self", headers=bearer(tokens)).status_code == 500


def test_invalid_knob_is_422_and_reset_restores_defaults(rb: FlaskClient):
    bad = rb.post("/_sandbox/knobs", json={"error_rate": 2, "nope": 1})
    rb.post("/_sandbox/knobs", json={"latency_ms": 5})

    reset = rb.post("/_sandbox/reset")

    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"error_rate", "nope"}
    assert reset.json["latency_ms"] == 0


def test_rate_limit_knob_answers_429_with_retry_after(rb: FlaskClient):
    headers = bearer(install(rb))
    rb.post("/_sandbox/knobs", json={"rate_limit_per_minute": 2})

    statuses = [rb.get("/api/units", headers=headers).status_code for _ in range(3)]
    limited = rb.get("/api/units", headers=headers)

    assert statuses == [206, 206, 429]
    assert int(limited.headers["Retry-After"]) > 0


def test_foreign_currency_invoice_prices_default_from_dkk_sales_price(rb: FlaskClient):
    body = {"customer_id": 3, "lines": [{"child_id": "101", "quantity": 1}]}

    created = rb.post("/api/customer-invoices", json=body, headers=bearer(install(rb)))

    invoice = created.json["customer_invoice"]
    assert (created.status_code, invoice["currency"], invoice["is_booked"]) == (201, "EUR", False)
    assert invoice["lines"][0]["line_price"] == round(1295 / 7.46, 2)
    assert invoice["total_vat"] == 0  # EU customer: no Danish VAT


# Contract B: the integration request, replace-current, and the consumer headers


def integration_request(rb: FlaskClient) -> str:
    """Install from the integration-request listing; the token the app's onboarding gets."""
    response = rb.get("/apps/dinero-integration/install")
    assert response.status_code == 302
    assert response.location.startswith(APP_BASE_URL + "/install/onboarding?token=")
    return parse_qs(urlsplit(response.location).query)["token"][0]


def accept(rb: FlaskClient, token: str) -> Any:
    return rb.post(f"/integration/accept/{token}")


def test_the_catalogue_lists_the_app_once_per_install_contract(rb: FlaskClient):
    page = rb.get("/apps").text
    assert 'id="app-dinero"' in page and 'id="app-dinero-integration"' in page
    assert "Dinero (integration request)" in page


def test_accept_installs_and_answers_token_slug_and_redirect_once(rb: FlaskClient):
    token = integration_request(rb)

    first = accept(rb, token)
    again = accept(rb, token)

    assert first.status_code == 200
    assert set(first.json) == {"access_token", "app_slug", "redirect_to"}
    assert first.json["app_slug"] == "dinero"
    assert first.json["redirect_to"] == PUBLIC_URL + "/settings/apps/dinero"
    assert again.status_code == 404  # single use
    me = rb.get("/api/self", headers=bearer(first.json))
    assert me.json["user_account"]["id"] == 12345


def test_cancel_uses_up_the_request_and_installs_nothing(rb: FlaskClient):
    token = integration_request(rb)

    assert rb.post(f"/integration/cancel/{token}").status_code == 200
    assert accept(rb, token).status_code == 404
    assert rb.post(f"/integration/cancel/{token}").status_code == 404
    assert rb.get("/settings/apps/dinero").status_code == 404


def test_an_unknown_or_expired_request_token_is_404(rb: FlaskClient):
    assert accept(rb, "never-issued").status_code == 404
    token = integration_request(rb)
    rb.post("/_sandbox/knobs", json={"clock_offset_seconds": 7200})
    assert accept(rb, token).status_code == 404


def test_replace_current_replaces_even_an_expired_token_and_the_old_one_stops(rb: FlaskClient):
    tokens = accept(rb, integration_request(rb)).json
    rb.post("/_sandbox/knobs", json={"clock_offset_seconds": 3600})  # past its lifetime
    assert rb.get("/api/self", headers=bearer(tokens)).status_code == 401

    replaced = rb.post("/api/tokens/replace-current", headers=bearer(tokens))

    assert replaced.status_code == 200
    fresh = {"access_token": replaced.json["token"]}
    assert rb.get("/api/self", headers=bearer(fresh)).status_code == 200
    assert rb.post("/api/tokens/replace-current", headers=bearer(tokens)).status_code == 401
    assert rb.get("/api/self", headers=bearer(tokens)).status_code == 401


def test_replace_current_is_for_integration_tokens_only(rb: FlaskClient):
    oauth_tokens = install(rb)
    assert rb.post("/api/tokens/replace-current", headers=bearer(oauth_tokens)).status_code == 403
    assert rb.post("/api/tokens/replace-current").status_code == 401


def test_the_settings_page_frames_the_registered_url_as_it_is(rb: FlaskClient):
    tokens = accept(rb, integration_request(rb)).json
    assert "has not registered a settings page" in rb.get("/settings/apps/dinero").text
    url = APP_BASE_URL + "/embedded/connections/1/" + "s" * 43
    rb.post(
        "/api/plugins/dinero/set-settings-url", json={"settings_url": url}, headers=bearer(tokens)
    )

    assert launch_url(rb) == url  # nothing signed, nothing added


def test_uninstall_of_an_integration_install_fires_the_webhook_and_revokes_its_token(
    rb: FlaskClient, receiver: tuple[Receiver, str]
):
    endpoint, url = receiver
    tokens = accept(rb, integration_request(rb)).json
    subscribe(rb, tokens, "plugin.uninstalled", url)

    rb.post("/settings/apps/dinero/uninstall")
    flush(rb)

    assert [d["headers"]["Rackbeat-Webhook-Event"] for d in endpoint.deliveries] == [
        "plugin.uninstalled"
    ]
    assert rb.get("/api/self", headers=bearer(tokens)).status_code == 401


def test_the_other_listing_cannot_install_over_an_installed_app(rb: FlaskClient):
    install(rb)
    response = rb.get("/apps/dinero-integration/install", follow_redirects=True)
    assert "already installed" in response.text
    assert not get_store(rb).integration_requests


def get_store(rb: FlaskClient):
    return rb.application.extensions["rackbeat_sandbox"]


def test_consumer_headers_are_recorded_and_calls_without_them_still_answered(rb: FlaskClient):
    tokens = install(rb)
    named = {"Consumer-Name": "rackdinero", "Consumer-Contact": "ops@example.com"}
    anonymous = rb.get("/api/self", headers=bearer(tokens))
    signed = rb.get("/api/self", headers={**bearer(tokens), **named, "User-Agent": "rd (x)"})

    assert anonymous.status_code == signed.status_code == 200
    log = rb.get("/_sandbox/consumers").json
    assert log[-2]["consumer_name"] is None
    assert log[-1] == {
        "method": "GET",
        "path": "/api/self",
        "consumer_name": "rackdinero",
        "consumer_contact": "ops@example.com",
        "user_agent": "rd (x)",
    }
    assert rb.get("/apps").status_code == 200 and rb.get("/_sandbox/consumers").json == log
    rb.post("/_sandbox/reset")
    assert rb.get("/_sandbox/consumers").json == []
