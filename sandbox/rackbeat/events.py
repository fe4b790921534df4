"""Webhook events: build the payload Rackbeat sends and queue it for every matching webhook."""

from __future__ import annotations

from typing import Any

from sandbox.rackbeat.store import Store

EVENTS = (
    "customer.created",
    "customer.updated",
    "supplier.created",
    "supplier.updated",
    "product.created",
    "product.updated",
    "customer_invoice.booked",
    "supplier_invoice.booked",
    "plugin.uninstalled",
)


def fire(
    store: Store,
    account_id: int,
    event: str,
    *,
    key: Any,
    key_name: str,
    data: dict[str, Any],
    old_key: Any = None,
    changed: list[str] | None = None,
    suppress: bool = False,
    plugin: str | None = None,
) -> int:
    """Queue ``event`` to the account's active webhooks (only ``plugin``'s, when given).

    Returns how many webhooks it was queued for. "updated" events pass ``changed`` and get
    ``old_key``/``new_key``/``changed`` in the body.
    """
    if suppress:
        return 0
    payload: dict[str, Any] = {"key": key, "key_name": key_name, "event": event, "data": data}
    if changed is not None:
        payload.update(old_key=key if old_key is None else old_key, new_key=key, changed=changed)
    with store.lock:
        hooks = [
            hook
            for hook in store.webhooks_for(account_id, event)
            if hook.is_active and (plugin is None or hook.plugin == plugin)
        ]
    for hook in hooks:
        store.outbox.enqueue(hook, payload)
    return len(hooks)
