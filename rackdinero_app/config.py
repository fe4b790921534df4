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
        "RACKBEAT_CLIENT_ID": "rackdinero-demo",
        "RACKBEAT_CLIENT_SECRET": None,
        # Rackbeat publishes no limit; its own client throttles to 480 requests per minute per
        # token. Every process shares one Redis token bucket per Rackbeat account under it.
        "RACKBEAT_RATE_LIMIT": 480,
        "RACKBEAT_RATE_WINDOW": 60,
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
    }


DEMO_DEFAULTS = {
    "SECRET_KEY": DEMO_SECRET_KEY,
    "ENCRYPTION_KEYS": DEMO_ENCRYPTION_KEY,
    "DINERO_CLIENT_SECRET": "rackdinero-demo-dinero-secret",
    "RACKBEAT_CLIENT_SECRET": "rackdinero-demo-rackbeat-secret",
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
