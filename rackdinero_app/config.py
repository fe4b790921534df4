"""Configuration: defaults, ``RACKDINERO_*`` environment variables, and their validation.

Every setting can be given as an environment variable with the ``RACKDINERO_`` prefix
(``RACKDINERO_REDIS_URL=...``). ``.env.example`` at the repository root documents each one.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from rackdinero_app.service_urls import loopback_problem
from rackdinero_app.service_urls import public_https_problem

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
    # Where the app is, and where it sends its secrets and its users' keys: no default, so a
    # forgotten one cannot fall back on the demo's sandboxes.
    "PUBLIC_URL",
    "RACKBEAT_BASE_URL",
    "DINERO_API_URL",
    "DINERO_AUTH_URL",
)
ENVIRONMENTS = ("production", "demo", "test")
# Every address the app sends secrets to, or signs its own links with (PUBLIC_URL). Production
# wants each public and https; the demo and the tests want each on this machine, since their
# secrets are published. VISMA_CONNECT_URL counts only while Visma sign-in is offered.
ADDRESSES = (
    "PUBLIC_URL",
    "RACKBEAT_BASE_URL",
    "RACKBEAT_INTEGRATION_URL",
    "DINERO_API_URL",
    "DINERO_AUTH_URL",
    "VISMA_CONNECT_URL",
)
MIN_SECRET_KEY_LENGTH = 32
# Placeholders published in .env.example: anyone could sign sessions with them.
PLACEHOLDER_SECRETS = frozenset({"change-me"})
# Secrets the demo fills in with published values, which production must not reuse.
PUBLISHABLE = (
    "SECRET_KEY",
    "RACKBEAT_CLIENT_SECRET",
    "DINERO_CLIENT_SECRET",
    "VISMA_CONNECT_CLIENT_SECRET",
)
DEMO_WARNING = (
    "RACKDINERO_ENV=demo: running on the PUBLIC demo secrets, with Rackbeat and Dinero on this "
    "machine only. Never expose it or give it real data; production is RACKDINERO_ENV=production."
)


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
        # Required in production; the demo and the tests fill in the sandboxes on loopback.
        "RACKBEAT_BASE_URL": None,
        "DINERO_API_URL": None,
        "DINERO_AUTH_URL": None,
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
        # the Dinero sandbox's stand-in (<sandbox>/visma-connect); production connect.visma.com.
        "VISMA_CONNECT_URL": None,
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
        "PUBLIC_URL": None,
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
        # Bounds on what a request may send (bytes; Flask answers 413 beyond them): the whole
        # body, one form field, the number of form fields, and a webhook's body.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
        "MAX_FORM_PARTS": 1000,
        "WEBHOOK_MAX_CONTENT_LENGTH": 64 * 1024,
        # Attempts to connect a Dinero company (activation, "change Dinero connection"): each
        # one asks Dinero, so they are limited per connection and per company id typed.
        "ACTIVATION_LIMIT_PER_CONNECTION": "5 per 15 minutes",
        "ACTIVATION_LIMIT_PER_ORGANIZATION": "10 per hour",
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
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "RACKBEAT_BASE_URL": "http://127.0.0.1:5001",
    "DINERO_API_URL": "http://127.0.0.1:5002",
    "DINERO_AUTH_URL": "http://127.0.0.1:5002",
    "VISMA_CONNECT_URL": "http://127.0.0.1:5002/visma-connect",
}
PRODUCTION_DEFAULTS = {"VISMA_CONNECT_URL": "https://connect.visma.com"}


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
    filled_in = PRODUCTION_DEFAULTS if environment == "production" else DEMO_DEFAULTS
    for key, value in filled_in.items():
        if not app.config.get(key):
            app.config[key] = value
    if environment == "production":
        secure_cookies(app.config)
    validate(app.config)
    if environment == "demo":
        logging.getLogger(__name__).warning(DEMO_WARNING)


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
    if config.get("ENV", "production") == "production":
        problems = [*secret_problems(config), *address_problems(config, public_https_problem)]
    else:
        problems = address_problems(config, loopback_problem)
        if problems:
            problems.append(
                f"{ENV_PREFIX}_ENV={config['ENV']} runs on published secrets, so it talks only "
                f"to services on this machine; use {ENV_PREFIX}_ENV=production with your own."
            )
    if problems:
        raise ConfigError("Refusing to start:\n" + "\n".join(f"- {p}" for p in problems))


def secure_cookies(config: dict[str, Any]) -> None:
    """Production is served over https only: its session cookie never travels in clear, is
    out of scripts' reach, and is not sent along with other sites' cross-site requests
    (Lax, not Strict: Rackbeat's OAuth redirect back to the install callback must carry it)."""
    config["SESSION_COOKIE_SECURE"] = True
    config["SESSION_COOKIE_HTTPONLY"] = True
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        config["SESSION_COOKIE_SAMESITE"] = "Lax"


def secret_problems(config: dict[str, Any]) -> list[str]:
    """Production secrets anyone could know: published with the code, or short."""
    problems = [
        f"{ENV_PREFIX}_{name} is a value published with rackdinero (the demo's or "
        ".env.example's): anyone could use it. Set a secret of your own."
        for name in PUBLISHABLE
        if config.get(name) in (*PLACEHOLDER_SECRETS, DEMO_DEFAULTS[name])
    ]
    secret_key = str(config["SECRET_KEY"])
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"{ENV_PREFIX}_SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters; make "
            "one with `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    for index, key in enumerate(encryption_keys(config), start=1):
        if key == DEMO_ENCRYPTION_KEY or _readable_text(key):
            problems.append(
                f"{ENV_PREFIX}_ENCRYPTION_KEYS: key {index} is the demo's or made of readable "
                "text, not a random key; make one with `flask crypto new-key`."
            )
    return problems


def _readable_text(fernet_key: str) -> bool:
    """Whether a key's 32 bytes are all printable ASCII: a typed phrase, not ``new-key``'s
    random bytes (all printable in about one key of 10^14)."""
    return all(32 <= byte < 127 for byte in base64.urlsafe_b64decode(fernet_key))


def address_problems(config: dict[str, Any], check) -> list[str]:
    """``check(url)`` for every address in use, as sentences naming the variable."""
    problems = []
    for name in ADDRESSES:
        url = config.get(name)
        if not url or (name == "VISMA_CONNECT_URL" and not config.get("VISMA_CONNECT_CLIENT_ID")):
            continue
        reason = check(str(url))
        if reason:
            problems.append(f"{ENV_PREFIX}_{name} {reason}")
    return problems


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
