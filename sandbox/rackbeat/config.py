"""Configuration defaults and the app registration the sandbox reads from ``manifest.json``."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULTS: dict[str, Any] = {
    "APP_BASE_URL": "http://127.0.0.1:5000",
    "MANIFEST_PATH": str(REPO_ROOT / "manifest.json"),
    "CLIENT_ID": "rackdinero-demo",
    "CLIENT_SECRET": "rackdinero-demo-rackbeat-secret",
    "PUBLIC_URL": "http://127.0.0.1:5001",
    "ACCESS_TOKEN_LIFETIME_SECONDS": 300,
    "SECRET_KEY": "rackbeat-sandbox-session-key",
    "SEED": None,
}

ENV_PREFIX = "SANDBOX_RACKBEAT_"


def from_env() -> dict[str, Any]:
    """Config keys given as ``SANDBOX_RACKBEAT_<KEY>`` environment variables."""
    config: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        value = os.environ.get(ENV_PREFIX + key)
        if value is None:
            continue
        config[key] = int(value) if isinstance(default, int) else value
    return config


@dataclass(frozen=True)
class AppRegistration:
    """The one app registered with this Rackbeat: manifest plus OAuth client credentials.

    The catalogue lists it twice, once per install contract: catalogue OAuth (``install_url``)
    and Rackbeat's integration request (``onboarding_url``). Both are the same plugin (slug).
    """

    slug: str
    name: str
    description: str
    client_id: str
    client_secret: str
    base_url: str
    install_url: str
    redirect_uri: str
    settings_url: str
    scopes: tuple[str, ...]
    webhook_events: tuple[str, ...]
    onboarding_url: str | None = None

    @property
    def integration_client_id(self) -> str:
        """Who integration-request tokens are issued to (they have no OAuth client)."""
        return f"integration:{self.slug}"


def load_registration(config: dict[str, Any]) -> AppRegistration:
    """Read the manifest and join its paths onto the app's base URL."""
    manifest = json.loads(Path(config["MANIFEST_PATH"]).read_text(encoding="utf-8"))
    base_url = config["APP_BASE_URL"].rstrip("/")
    return AppRegistration(
        slug=manifest["slug"],
        name=manifest["name"],
        description=manifest.get("description", ""),
        client_id=config["CLIENT_ID"],
        client_secret=config["CLIENT_SECRET"],
        base_url=base_url,
        install_url=base_url + manifest["install_url"],
        redirect_uri=base_url + manifest["redirect_uri"],
        settings_url=base_url + manifest["settings_url"],
        scopes=tuple(manifest.get("scopes", [])),
        webhook_events=tuple(manifest.get("webhook_events", [])),
        onboarding_url=base_url + manifest["onboarding_url"]
        if manifest.get("onboarding_url")
        else None,
    )
