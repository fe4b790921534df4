"""Client errors: one field-error formatter for both clients (same text shape, secrets
redacted), and every message named by a code with its parameters."""

from __future__ import annotations

import fakeredis
import pytest
import requests
import responses

from rackdinero_app.clients.errors import MESSAGES
from rackdinero_app.clients.errors import REDACTED
from rackdinero_app.clients.errors import AuthFailed
from rackdinero_app.clients.errors import RateLimited
from rackdinero_app.clients.errors import Transient
from rackdinero_app.clients.errors import ValidationFailed
from rackdinero_app.clients.rackbeat import RackbeatClient
from rackdinero_app.clients.ratelimit import RateLimiter
from rackdinero_app.clients.tokens import MemoryTokenStore
from rackdinero_app.clients.tokens import TokenPair
from tests.clients.conftest import API_KEY
from tests.clients.conftest import API_URL
from tests.clients.conftest import AUTH_URL
from tests.clients.conftest import ORG

RACKBEAT = "https://rackbeat.test"
RACKBEAT_SECRET = "rb-client-secret-SECRET"


def test_fields_become_one_message_naming_each_field():
    error = ValidationFailed.from_fields(
        "Dinero",
        {"Name": "Too long", "lines.0.item_id": ["Unknown item.", "Required."]},
        (),
        status=400,
        code=42,
    )
    assert error.message == (
        "Dinero rejected the data (Name: Too long; lines.0.item_id: Unknown item. Required.)."
    )
    assert error.field_errors == {
        "Name": "Too long",
        "lines.0.item_id": ["Unknown item.", "Required."],
    }
    assert (error.status, error.code) == (400, 42)


def test_without_fields_the_servers_text_is_the_message():
    assert (
        ValidationFailed.from_fields("Dinero", {}, (), text="Bad date").message
        == "Dinero rejected the data: Bad date."
    )
    assert ValidationFailed.from_fields("Rackbeat", {}, ()).message == "Rackbeat rejected the data."


def test_secrets_are_redacted_in_keys_messages_and_text():
    error = ValidationFailed.from_fields(
        "Dinero",
        {"key s3cr3t": ["echo s3cr3t", "tok-9"], "Name": "tok-9"},
        ("s3cr3t", None, "tok-9"),
        text="s3cr3t",
    )
    assert error.field_errors == {
        f"key {REDACTED}": [f"echo {REDACTED}", REDACTED],
        "Name": REDACTED,
    }
    assert "s3cr3t" not in error.message and "tok-9" not in error.message


@pytest.fixture
def mocked():
    with responses.RequestsMock() as mock:
        yield mock


def test_both_clients_word_field_errors_alike_and_redact_their_secrets(mocked, make_dinero):
    mocked.post(
        f"{AUTH_URL}/dineroapi/oauth/token", json={"access_token": "tok-SECRET-1", "expires_in": 60}
    )
    mocked.post(
        f"{API_URL}/v1/{ORG}/contacts",
        status=400,
        json={"code": 42, "message": "x", "validationErrors": {"Name": f"Too long {API_KEY}"}},
    )
    mocked.post(
        f"{RACKBEAT}/api/customers",
        status=422,
        json={"errors": {"Name": [f"Too long {RACKBEAT_SECRET}"]}},
    )
    rackbeat = RackbeatClient(
        RACKBEAT,
        MemoryTokenStore("c", TokenPair("access-1", "refresh-1")),
        client_id="rackdinero",
        client_secret=RACKBEAT_SECRET,
        redis=fakeredis.FakeRedis(),
    )

    with pytest.raises(ValidationFailed) as from_dinero:
        make_dinero().create_contact({"Name": "x"})
    with pytest.raises(ValidationFailed) as from_rackbeat:
        rackbeat.create_customer({"Name": "x"})

    shape = f" rejected the data (Name: Too long {REDACTED})."
    assert from_dinero.value.message == "Dinero" + shape
    assert from_rackbeat.value.message == "Rackbeat" + shape


@pytest.mark.parametrize(
    ("status", "message_code"),
    [(401, "dinero_client_refused"), (400, "dinero_key_not_accepted")],
)
def test_a_refused_token_grant_names_its_message_by_code(mocked, make_dinero, status, message_code):
    mocked.post(f"{AUTH_URL}/dineroapi/oauth/token", status=status, json={"error": "x"})

    with pytest.raises(AuthFailed) as caught:
        make_dinero().entry_accounts()

    assert caught.value.message_code == message_code
    assert caught.value.message == MESSAGES[message_code]


def test_answers_and_timeouts_carry_their_code_and_parameters(mocked):
    mocked.get(f"{RACKBEAT}/api/customers/7", status=503)
    mocked.get(f"{RACKBEAT}/api/customers/8", body=requests.ConnectTimeout())
    rackbeat = RackbeatClient(RACKBEAT, MemoryTokenStore("c", TokenPair("access-1", None)))

    with pytest.raises(Transient) as answered:
        rackbeat.get_customer(7)
    with pytest.raises(Transient) as timed_out:
        rackbeat.get_customer(8)

    assert (answered.value.message_code, answered.value.message_params) == (
        "server_error",
        {"service": "Rackbeat", "status": 503},
    )
    assert answered.value.message == (
        "Rackbeat had a temporary problem (HTTP 503). The transfer is retried later."
    )
    assert (timed_out.value.message_code, timed_out.value.message_params) == (
        "connect_timeout",
        {"service": "Rackbeat"},
    )


def test_the_request_budget_names_its_message_by_code():
    limiter = RateLimiter(fakeredis.FakeRedis(), "bucket", limit=1, window=60.0, max_wait=0.0)
    limiter.acquire()

    with pytest.raises(RateLimited) as caught:
        limiter.acquire()

    assert caught.value.message_code == "dinero_request_budget"
