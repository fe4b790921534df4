import json

import pytest

from rackdinero_app.install import manifest
from rackdinero_app.models import WebhookSubscription


@pytest.fixture
def installed(make_connection, db):
    """An active connection with a webhook token per manifest event (token = "tok-<event>")."""
    connection = make_connection(rackbeat_account_id=12345)
    for event in manifest.webhook_events():
        connection.webhook_subscriptions.append(
            WebhookSubscription(event=event, token=f"tok-{event}")
        )
    db.session.commit()
    return connection


@pytest.fixture
def deliver(client):
    def post(event, body=None, *, token=None, account="12345", raw=None):
        payload = (
            raw
            if raw is not None
            else json.dumps(
                body if body is not None else {"key": 1001, "key_name": "number", "event": event}
            )
        )
        headers = {
            "Rackbeat-Webhook-Event": event,
            "Rackbeat-Webhook-Token": token if token is not None else f"tok-{event}",
            "Rackbeat-Account-Id": account,
            "Content-Type": "application/json",
        }
        return client.post("/webhooks/rackbeat", data=payload, headers=headers)

    return post
