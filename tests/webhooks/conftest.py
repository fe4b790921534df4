import json
from types import SimpleNamespace

import pytest

from rackdinero_app.install import manifest
from rackdinero_app.models import WebhookSubscription
from sandbox import rackbeat as rackbeat_sandbox
from tests.servers import serve_app


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


@pytest.fixture
def rackbeat():
    """The Rackbeat sandbox over loopback, which the app asks to confirm an uninstall."""
    app = rackbeat_sandbox.create_app({"APP_BASE_URL": "http://127.0.0.1:5000"})
    with serve_app(app) as url:
        yield SimpleNamespace(url=url, store=app.extensions["rackbeat_sandbox"])
    app.extensions["rackbeat_sandbox"].outbox.close()


@pytest.fixture
def app_config(app_config, request):
    """The app pointed at the Rackbeat sandbox, when a test uses it."""
    if "rackbeat" in request.fixturenames:
        return {**app_config, "RACKBEAT_BASE_URL": request.getfixturevalue("rackbeat").url}
    return app_config
