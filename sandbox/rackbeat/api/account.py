"""Who am I (``/self``) and the app's own plugin settings (``/plugins/{slug}``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import g
from flask import jsonify

from sandbox.rackbeat.api import bp
from sandbox.rackbeat.api.common import account
from sandbox.rackbeat.api.common import json_body
from sandbox.rackbeat.api.common import scoped
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.records.validation import Fields
from sandbox.rackbeat.store import Installation


@bp.get("/self")
def who_am_i() -> Any:
    store = get_store()
    return jsonify(user_account=account().as_dict(), user=store.users[g.token.user_id].as_dict())


@bp.post("/plugins/<slug>/set-settings-url")
@scoped("plugins")
def set_settings_url(slug: str) -> Any:
    """Register the URL Rackbeat opens (in an iframe) under Settings > Apps > <app>."""
    store = get_store()
    if slug != store.registration.slug:
        return jsonify(message=f"Plugin {slug} was not found."), 404
    fields = Fields(json_body())
    url = fields.string("settings_url", required=True, max_length=2000)
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fields.fail("settings_url", "The settings url must be a valid URL.")
    fields.raise_if_failed()
    with store.lock:
        installation = account().installations.get(slug)
        if installation is None:
            return jsonify(message=f"Plugin {slug} is not installed on this account."), 404
        installation.settings_url = url
    return jsonify(plugin=_plugin(installation))


def _plugin(installation: Installation) -> dict[str, Any]:
    registration = get_store().registration
    return {
        "slug": installation.slug,
        "name": registration.name,
        "settings_url": installation.settings_url,
    }
