"""Webhook subscriptions and their delivery logs."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import jsonify
from flask import request

from sandbox.rackbeat.api import bp
from sandbox.rackbeat.api.common import account
from sandbox.rackbeat.api.common import json_body
from sandbox.rackbeat.api.common import paginated
from sandbox.rackbeat.api.common import scoped
from sandbox.rackbeat.api.common import single
from sandbox.rackbeat.context import get_store
from sandbox.rackbeat.events import EVENTS
from sandbox.rackbeat.records.validation import MISSING
from sandbox.rackbeat.records.validation import Fields
from sandbox.rackbeat.store import Webhook


def _read(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    fields = Fields(body)
    values = {
        "event": fields.choice("event", EVENTS, required=creating),
        "url": fields.string("url", required=creating, max_length=2000),
        "is_active": fields.boolean("is_active"),
    }
    url = values["url"]
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fields.fail("url", "The url must be a valid URL.")
    for name in ("event", "url", "is_active"):
        if values[name] is None and fields.path(name) not in fields.errors:
            fields.fail(name, f"The {name.replace('_', ' ')} field is required.")
    fields.raise_if_failed()
    return {name: value for name, value in values.items() if value is not MISSING}


def _owned(webhook_id: int) -> Webhook | None:
    webhook = get_store().webhooks.get(webhook_id)
    if webhook is None or webhook.account_id != account().id:
        return None
    return webhook


def _missing(webhook_id: int) -> Any:
    return jsonify(message=f"Webhook {webhook_id} was not found."), 404


@bp.post("/webhooks")
@scoped("webhooks")
def webhooks_create() -> Any:
    """Create, or update the one with the same event and url; the token shows only on create."""
    values = _read(json_body(), creating=True)
    store = get_store()
    slug = store.registration.slug
    with store.lock:
        now = store.timestamp()
        for webhook in store.webhooks_for(account().id, values["event"]):
            if webhook.url == values["url"] and webhook.plugin == slug:
                webhook.is_active = values.get("is_active", webhook.is_active)
                webhook.updated_at = now
                return single("webhook", webhook.as_dict())
        webhook = Webhook(
            id=store.next_id("webhook"),
            account_id=account().id,
            plugin=slug,
            event=values["event"],
            url=values["url"],
            is_active=values.get("is_active", True),
            token=secrets.token_hex(16),
            created_at=now,
            updated_at=now,
        )
        store.webhooks[webhook.id] = webhook
        return single("webhook", webhook.as_dict(with_token=True), 201)


@bp.get("/webhooks")
@scoped("webhooks")
def webhooks_index() -> Any:
    event = request.args.get("event")
    with get_store().lock:
        hooks = sorted(get_store().webhooks_for(account().id, event), key=lambda hook: hook.id)
        return paginated("webhooks", [hook.as_dict() for hook in hooks])


@bp.get("/webhooks/<int:webhook_id>")
@scoped("webhooks")
def webhooks_show(webhook_id: int) -> Any:
    with get_store().lock:
        webhook = _owned(webhook_id)
        return _missing(webhook_id) if webhook is None else single("webhook", webhook.as_dict())


@bp.route("/webhooks/<int:webhook_id>", methods=["PUT", "PATCH"])
@scoped("webhooks")
def webhooks_update(webhook_id: int) -> Any:
    values = _read(json_body(), creating=False)
    store = get_store()
    with store.lock:
        webhook = _owned(webhook_id)
        if webhook is None:
            return _missing(webhook_id)
        for name, value in values.items():
            setattr(webhook, name, value)
        webhook.updated_at = store.timestamp()
        return single("webhook", webhook.as_dict())


@bp.delete("/webhooks/<int:webhook_id>")
@scoped("webhooks")
def webhooks_delete(webhook_id: int) -> Any:
    store = get_store()
    with store.lock:
        if _owned(webhook_id) is None:
            return _missing(webhook_id)
        del store.webhooks[webhook_id]
    return "", 204


@bp.get("/webhooks/<int:webhook_id>/logs")
@scoped("webhooks")
def webhooks_logs(webhook_id: int) -> Any:
    store = get_store()
    with store.lock:
        if _owned(webhook_id) is None:
            return _missing(webhook_id)
    return paginated("logs", list(reversed(store.outbox.logs(webhook_id))))


@bp.get("/webhooks/logs/<int:log_id>")
@scoped("webhooks")
def webhooks_log(log_id: int) -> Any:
    for entry in get_store().outbox.logs():
        if entry["id"] == log_id and entry["account_id"] == account().id:
            return single("log", entry)
    return jsonify(message=f"Webhook log {log_id} was not found."), 404
