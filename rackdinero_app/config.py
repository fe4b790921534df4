"""Configuration: defaults, ``RACKDINERO_*`` environment variables, and their validation.

Every setting can be given as an environment variable with the ``RACKDINERO_`` prefix
(``RACKDINERO_REDIS_URL=...``). ``.env.example`` at the repository root documents each one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ENV_PREFIX = "RACKDINERO"
# The repository: templates/, migrations/ and manifest.json live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Only for RACKDINERO_ENV=demo or test: fixed so that a demo database stays readable across
# restarts. Never valid in production, where the variables below are required.
DEMO_SECRET_KEY = "demo-only-secret-key-not-for-production"
DEMO_ENCRYPTION_KEY = "ZGVtby1vbmx5LWVuY3J5cHRpb24ta2V5LW5vdC1wcm8="

# Without these the app cannot run safely (the keys) or cannot talk to Rackbeat and Dinero at
# all (the client secrets): refuse to start rather than fail on the first install.
REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "ENCRYPTION_KEYS",
    "RACKBEAT_CLIENT_SECRET",
    "DINERO_CLIENT_SECRET",
    # Rackbeat's SDK warns that a caller without a contact may get its IP restricted.
    "RACKBEAT_CONSUMER_CONTACT",
)
ENVIRONMENTS = ("production", "demo", "test")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the environment variable."""


def defaults(instance_path: str) -> dict[str, Any]:
    """Settings that hold when nothing is configured (the demo runs on these)."""
    return {
        "ENV": "production",
        "SECRET_KEY": None,
        "ENCRYPTION_KEYS": None,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "rackdinero.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        # Seconds a web request or a job waits for Redis before treating it as down (an idle
        # worker's own blocking wait uses a separate connection without this limit).
        "REDIS_SOCKET_TIMEOUT": 5,
        "RQ_QUEUES": ["default"],
        # A worker counts as alive while its last heartbeat is younger than this (seconds).
        "WORKER_HEARTBEAT_MAX_AGE": 60,
        "RACKBEAT_BASE_URL": "http://127.0.0.1:5001",
        "DINERO_API_URL": "http://127.0.0.1:5002",
        "DINERO_AUTH_URL": "http://127.0.0.1:5002",
        "DINERO_CLIENT_ID": "rackdinero-demo",
        "DINERO_CLIENT_SECRET": None,
        # Dinero allows 100 requests per minute per organization; every process shares one
        # Redis token bucket per organization that stays just under it.
        "DINERO_RATE_LIMIT": 100,
        "DINERO_RATE_WINDOW": 60,
        # Seconds to wait for Dinero's answer; a write that times out is looked up before retry.
        "DINERO_READ_TIMEOUT": 30,
        # Visma Connect sign-in to Dinero (DESIGN §2 b), offered beside the API key only when a
        # client id (isv_…) is set; its secret is then required. The demo and the tests use
        # the Dinero sandbox's stand-in (<sandbox>/visma-connect).
        "VISMA_CONNECT_URL": "https://connect.visma.com",
        "VISMA_CONNECT_CLIENT_ID": None,
        "VISMA_CONNECT_CLIENT_SECRET": None,
        # How long a Visma sign-in may take, from its start to the chosen company (seconds).
        "VISMA_SIGN_IN_SECONDS": 600,
        "RACKBEAT_CLIENT_ID": "rackdinero-demo",
        "RACKBEAT_CLIENT_SECRET": None,
        # Rackbeat publishes no limit; its own client throttles to 480 requests per minute per
        # token. Every process shares one Redis token bucket per Rackbeat account under it.
        "RACKBEAT_RATE_LIMIT": 480,
        "RACKBEAT_RATE_WINDOW": 60,
        # Rackbeat's install contracts this deployment offers (DESIGN §2), comma-separated:
        # "oauth" (catalogue OAuth) and/or "integration" (Rackbeat's integration request).
        # Unset: "oauth" in production, both in the demo and the tests.
        "RACKBEAT_CONTRACTS": None,
        # Contract B's accept/cancel endpoint; unset: <RACKBEAT_BASE_URL>/integration.
        "RACKBEAT_INTEGRATION_URL": None,
        # Named on every Rackbeat request (Consumer-Name, Consumer-Contact, User-Agent).
        "RACKBEAT_CONSUMER_NAME": "rackdinero",
        "RACKBEAT_CONSUMER_CONTACT": None,
        # Contract B: Rackbeat does not say how long its tokens live, so a token older than
        # this many days is replaced (replace-current) by a daily job or on its next use.
        "RACKBEAT_TOKEN_REPLACE_DAYS": 7,
        # How long a contract-B onboarding (before Rackbeat's request is accepted) may take.
        "ONBOARDING_SECONDS": 3600,
        "PUBLIC_URL": "http://127.0.0.1:5000",
        # Where a person opens a Dinero object (the transfer log links there).
        "DINERO_WEB_LINK": "http://127.0.0.1:5002/#org-{organization_id}",
        # Transfers: attempts before a transient failure is given up, backoff (full jitter),
        # how long a running transfer may take before the sweeper takes it back, and how old
        # a pending row or unprocessed webhook must be before the sweeper re-enqueues it.
        "TRANSFER_MAX_ATTEMPTS": 8,
        "TRANSFER_RETRY_BASE_SECONDS": 2,
        "TRANSFER_RETRY_CAP_SECONDS": 600,
        "TRANSFER_LEASE_SECONDS": 300,
        "SWEEP_GRACE_SECONDS": 30,
        "SWEEP_INTERVAL_SECONDS": 30,
        # The start sync (S1) works in slices of this many seconds, one job each, so other
        # work gets its turn; a running start sync or preview whose heartbeat is older than
        # the stale limit lost its worker and is taken up again by the next one.
        "START_SYNC_SLICE_SECONDS": 60,
        "START_SYNC_STALE_SECONDS": 300,
        # How long an embedded page session lasts after a launch from Rackbeat (seconds).
        "EMBEDDED_SESSION_SECONDS": 3600,
        # The install handshake's state and PKCE verifier ride in this cookie (top-level pages).
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # The support dashboard (/support): its own session cookie (HttpOnly, SameSite=Strict,
        # path /support), Secure unless set to false (default: Secure in production only);
        # a staff session ends after this many idle minutes; wrong passwords and wrong codes
        # are limited per account and per client address (Flask-Limiter on REDIS_URL).
        "SUPPORT_SESSION_IDLE_MINUTES": 30,
        "SUPPORT_SESSION_COOKIE_SECURE": None,
        "SUPPORT_LOGIN_LIMIT": "10 per 15 minutes",
        "SUPPORT_CODE_LIMIT": "10 per 15 minutes",
        # Support alerts (support/alerts.py, every 5 minutes): an e-mail to support when a new
        # failure group appears or a connection has at least SUPPORT_ALERT_THRESHOLD failures
        # in 24 h, at most one per group (and per connection) per hour. Off without a host.
        # SUPPORT_ALERT_TO is comma-separated.
        "SUPPORT_SMTP_HOST": None,
        "SUPPORT_SMTP_PORT": 25,
        "SUPPORT_ALERT_FROM": "rackdinero@localhost",
        "SUPPORT_ALERT_TO": None,
        "SUPPORT_ALERT_THRESHOLD": 20,
    }


DEMO_DEFAULTS = {
    "SECRET_KEY": DEMO_SECRET_KEY,
    "ENCRYPTION_KEYS": DEMO_ENCRYPTION_KEY,
    "DINERO_CLIENT_SECRET": "rackdinero-demo-dinero-secret",
    "RACKBEAT_CLIENT_SECRET": "rackdinero-demo-rackbeat-secret",
    "VISMA_CONNECT_CLIENT_ID": "isv_rackdinero_demo",
    "VISMA_CONNECT_CLIENT_SECRET": "rackdinero-demo-visma-secret",
    "RACKBEAT_CONSUMER_CONTACT": "demo@rackdinero.example",
    "RACKBEAT_CONTRACTS": "oauth,integration",
}


def load(app, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config``: defaults, then the environment, then ``test_config``, then check."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_prefixed_env(ENV_PREFIX)
    if test_config:
        app.config.from_mapping(test_config)
    environment = app.config["ENV"]
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"{ENV_PREFIX}_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}."
        )
    if environment in ("demo", "test"):
        for key, value in DEMO_DEFAULTS.items():
            if not app.config.get(key):
                app.config[key] = value
    validate(app.config)


def validate(config: dict[str, Any]) -> None:
    """Refuse to start without the secrets production needs, naming each missing variable."""
    missing = [f"{ENV_PREFIX}_{key}" for key in REQUIRED_IN_PRODUCTION if not config.get(key)]
    if missing:
        raise ConfigError(
            "Missing required setting(s): "
            + ", ".join(missing)
            + f". Set them in the environment, or set {ENV_PREFIX}_ENV=demo for the demo."
        )
    encryption_keys(config)
    if config.get("VISMA_CONNECT_CLIENT_ID") and not config.get("VISMA_CONNECT_CLIENT_SECRET"):
        raise ConfigError(
            f"Missing required setting: {ENV_PREFIX}_VISMA_CONNECT_CLIENT_SECRET (Visma Connect "
            f"sign-in is offered because {ENV_PREFIX}_VISMA_CONNECT_CLIENT_ID is set)."
        )
    rackbeat_contracts(config)
    contact = config.get("RACKBEAT_CONSUMER_CONTACT")
    if contact and "@" not in str(contact):
        raise ConfigError(f"{ENV_PREFIX}_RACKBEAT_CONSUMER_CONTACT must be an e-mail address.")


def rackbeat_contracts(config: dict[str, Any]) -> frozenset[str]:
    """The install contracts offered: ``RACKDINERO_RACKBEAT_CONTRACTS`` (comma-separated)."""
    raw = config.get("RACKBEAT_CONTRACTS") or "oauth"
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    contracts = frozenset(name.strip() for name in names if name.strip())
    unknown = sorted(contracts - {"oauth", "integration"})
    if unknown or not contracts:
        raise ConfigError(
            f"{ENV_PREFIX}_RACKBEAT_CONTRACTS takes oauth and/or integration, not {raw!r}."
        )
    return contracts


def encryption_keys(config: dict[str, Any]) -> list[str]:
    """The Fernet keys, newest first (``RACKDINERO_ENCRYPTION_KEYS`` is comma-separated)."""
    raw = config["ENCRYPTION_KEYS"]
    keys = [k.strip() for k in raw.split(",")] if isinstance(raw, str) else list(raw)
    keys = [k for k in keys if k]
    if not keys:
        raise ConfigError(f"{ENV_PREFIX}_ENCRYPTION_KEYS is empty.")
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError(
                f"{ENV_PREFIX}_ENCRYPTION_KEYS: key {index} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes; make one with `flask crypto new-key`)."
            ) from None
    return keys


def instance_path_from_env() -> str | None:
    """An explicit instance folder (``RACKDINERO_INSTANCE_PATH``), used by tests and deploys."""
    return os.environ.get(f"{ENV_PREFIX}_INSTANCE_PATH") or None
