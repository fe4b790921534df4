"""The app's catalogue manifest (``manifest.json``) and the absolute URLs it implies."""

from __future__ import annotations

import functools
import json
from typing import Any

from flask import current_app

from rackdinero_app.config import PROJECT_ROOT

# Contract A: install_url, redirect_uri, settings_url; B: onboarding_url; both: webhook_url.
URL_KEYS = ("install_url", "redirect_uri", "settings_url", "onboarding_url", "webhook_url")


@functools.cache
def manifest() -> dict[str, Any]:
    with open(PROJECT_ROOT / "manifest.json", encoding="utf-8") as file:
        return json.load(file)


def absolute_url(key: str) -> str:
    """A manifest URL (a path) on this deployment's public base URL."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + manifest()[key]


def webhook_events() -> list[str]:
    return list(manifest()["webhook_events"])


def slug() -> str:
    return manifest()["slug"]
