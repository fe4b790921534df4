"""Production refuses weak settings; the demo and the tests stay on this machine (issue 13)."""

from __future__ import annotations

import base64
import logging
import re

import pytest
from cryptography.fernet import Fernet

from rackdinero_app import create_app
from rackdinero_app.config import DEMO_DEFAULTS
from rackdinero_app.config import DEMO_ENCRYPTION_KEY
from rackdinero_app.config import DEMO_SECRET_KEY
from rackdinero_app.config import DEMO_WARNING
from rackdinero_app.config import PROJECT_ROOT
from rackdinero_app.config import ConfigError
from tests.foundation.production import PRODUCTION_SETTINGS


@pytest.fixture
def production(app_config):
    """Build a production app from ``app_config`` and the accepted settings, overridden."""

    def build(**overrides):
        return create_app({**app_config, **PRODUCTION_SETTINGS, **overrides})

    return build


def refusal(build, **overrides) -> str:
    with pytest.raises(ConfigError) as raised:
        build(**overrides)
    return str(raised.value)


def test_the_accepted_settings_start(production):
    assert production().config["ENV"] == "production"


def env_example_values() -> dict[str, str]:
    """Every variable .env.example sets to a value (not commented out)."""
    text = (PROJECT_ROOT / ".env.example").read_text()
    return dict(re.findall(r"^RACKDINERO_(\w+)=(.+)$", text, flags=re.MULTILINE))


@pytest.mark.parametrize("secret_key", [DEMO_SECRET_KEY, "change-me", "x" * 31])
def test_a_published_or_short_secret_key_is_refused(production, secret_key):
    assert "RACKDINERO_SECRET_KEY" in refusal(production, SECRET_KEY=secret_key)


def test_no_secret_from_env_example_starts_production(production):
    secrets = {k: v for k, v in env_example_values().items() if "SECRET" in k or "KEY" in k}
    assert secrets  # SECRET_KEY=change-me at least
    for name, value in secrets.items():
        assert f"RACKDINERO_{name}" in refusal(production, **{name: value})


@pytest.mark.parametrize(
    "name", ["RACKBEAT_CLIENT_SECRET", "DINERO_CLIENT_SECRET", "VISMA_CONNECT_CLIENT_SECRET"]
)
def test_the_demos_client_secrets_are_refused(production, name):
    visma = {"VISMA_CONNECT_CLIENT_ID": "isv_rackdinero", "VISMA_CONNECT_CLIENT_SECRET": "v" * 40}
    message = refusal(production, **{**visma, name: DEMO_DEFAULTS[name]})
    assert f"RACKDINERO_{name} is a value published with rackdinero" in message
    assert DEMO_DEFAULTS[name] not in message  # a secret is named, never shown


@pytest.mark.parametrize(
    "key",
    [DEMO_ENCRYPTION_KEY, base64.urlsafe_b64encode(b"my own very secret passphrase!!!").decode()],
)
def test_a_demo_or_typed_encryption_key_is_refused(production, key):
    keys = f"{Fernet.generate_key().decode()},{key}"
    assert "RACKDINERO_ENCRYPTION_KEYS: key 2 is the demo's" in refusal(
        production, ENCRYPTION_KEYS=keys
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://api.dinero.dk",
        "https://127.0.0.1:5002",
        "https://localhost",
        "https://dinero.localhost.",
        "https://10.1.2.3",
        "https://172.17.0.2",
        "https://192.168.1.20",
        "https://169.254.169.254",
        "https://100.64.0.1",
        "https://0.0.0.0",
        "https://[::1]",
        "https://[fd00::1]",
        "https://[::ffff:127.0.0.1]",
        "https://127.1",
        "https://2130706433",
        "https://0x7f000001",
        "api.dinero.dk",
        "https://[::1",
    ],
)
def test_a_service_url_that_is_not_public_https_is_refused(production, url):
    message = refusal(production, DINERO_API_URL=url)
    assert "RACKDINERO_DINERO_API_URL" in message
    assert "RACKDINERO_DINERO_AUTH_URL" not in message


@pytest.mark.parametrize(
    "name", ["PUBLIC_URL", "RACKBEAT_BASE_URL", "RACKBEAT_INTEGRATION_URL", "DINERO_AUTH_URL"]
)
def test_every_address_is_checked(production, name):
    assert f"RACKDINERO_{name}" in refusal(production, **{name: "http://127.0.0.1:5001"})


def test_visma_connects_url_counts_only_while_visma_sign_in_is_offered(production):
    local = {"VISMA_CONNECT_URL": "http://127.0.0.1:5002/visma-connect"}
    assert production(**local)
    visma = {"VISMA_CONNECT_CLIENT_ID": "isv_rackdinero", "VISMA_CONNECT_CLIENT_SECRET": "v" * 40}
    assert "RACKDINERO_VISMA_CONNECT_URL" in refusal(production, **local, **visma)
    assert production(**visma).config["VISMA_CONNECT_URL"] == "https://connect.visma.com"


def test_every_problem_is_named_at_once(production):
    message = refusal(production, SECRET_KEY="short", PUBLIC_URL="http://127.0.0.1:5000")
    assert message.startswith("Refusing to start:")
    assert "RACKDINERO_SECRET_KEY" in message and "RACKDINERO_PUBLIC_URL" in message


@pytest.mark.parametrize("environment", ["demo", "test"])
@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("DINERO_API_URL", "https://api.dinero.dk"),
        ("DINERO_AUTH_URL", "https://authz.dinero.dk"),
        ("RACKBEAT_BASE_URL", "https://app.rackbeat.com"),
        ("RACKBEAT_INTEGRATION_URL", "https://app.rackbeat.com/integration"),
        ("VISMA_CONNECT_URL", "https://connect.visma.com"),
        ("PUBLIC_URL", "https://rackdinero.example.com"),
        ("DINERO_API_URL", "http://192.168.1.20:5002"),
    ],
)
def test_the_demo_and_the_tests_never_leave_this_machine(app_config, environment, name, url):
    """Their secrets are published: with a real service they would be anyone's keys to it."""
    with pytest.raises(ConfigError) as raised:
        create_app({**app_config, "ENV": environment, name: url})
    assert f"RACKDINERO_{name} points at" in str(raised.value)
    assert "RACKDINERO_ENV=production" in str(raised.value)


def test_the_demo_runs_on_loopback_and_says_loudly_what_it_is(app_config, caplog):
    local = {"DINERO_API_URL": "http://localhost:5002", "PUBLIC_URL": "http://[::1]:5000"}
    with caplog.at_level(logging.WARNING):
        demo = create_app({**app_config, "ENV": "demo", **local})
    assert demo.config["RACKBEAT_BASE_URL"] == "http://127.0.0.1:5001"
    assert DEMO_WARNING in caplog.messages


def test_production_cookies_are_secure(production, app_config):
    config = production().config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert create_app(app_config).config["SESSION_COOKIE_SECURE"] is False  # plain-HTTP tests
