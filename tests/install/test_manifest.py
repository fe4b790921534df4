"""manifest.json is what the catalogue reads: it must be complete and true to the app."""

import json
from urllib.parse import urlparse

from rackdinero_app import PROJECT_ROOT
from rackdinero_app.install import manifest

REQUIRED = {
    "slug",
    "name",
    "description",
    "install_url",
    "onboarding_url",
    "redirect_uri",
    "settings_url",
    "webhook_url",
    "scopes",
    "webhook_events",
}


def test_manifest_is_valid_json_with_every_key():
    data = json.loads((PROJECT_ROOT / "manifest.json").read_text())
    assert REQUIRED <= set(data)
    assert data["slug"] == "dinero"
    assert data["scopes"] and all(isinstance(scope, str) for scope in data["scopes"])
    assert len(set(data["webhook_events"])) == len(data["webhook_events"])


def test_every_manifest_url_is_a_route_of_the_app(app):
    adapter = app.url_map.bind("localhost")
    expected_methods = {
        "install_url": "GET",
        "onboarding_url": "GET",
        "redirect_uri": "GET",
        "settings_url": "GET",
        "webhook_url": "POST",
    }
    for key, method in expected_methods.items():
        path = urlparse(manifest.absolute_url(key)).path
        endpoint, _ = adapter.match(path, method=method)
        assert endpoint, key


def test_the_settings_link_is_a_route_of_the_app(app):
    from rackdinero_app.install.service import SETTINGS_LINK

    path = SETTINGS_LINK.format(connection_id=7, secret="s" * 43)
    endpoint, values = app.url_map.bind("localhost").match(path, method="GET")
    assert endpoint == "embedded.settings_link"
    assert values == {"connection_id": 7, "secret": "s" * 43}


def test_every_manifest_event_is_accepted_by_the_webhook_endpoint(
    client, make_connection, db, rackbeat
):
    """``rackbeat``: the uninstall is confirmed there (it does not know the fixture's token)."""
    from rackdinero_app.models import WebhookSubscription

    connection = make_connection(rackbeat_account_id=12345)
    for event in manifest.webhook_events():
        connection.webhook_subscriptions.append(WebhookSubscription(event=event, token=event))
    db.session.commit()
    for event in manifest.webhook_events():
        response = client.post(
            "/webhooks/rackbeat",
            json={"key": 1, "key_name": "number", "event": event},
            headers={
                "Rackbeat-Webhook-Event": event,
                "Rackbeat-Webhook-Token": event,
                "Rackbeat-Account-Id": "12345",
            },
        )
        assert response.status_code in (200, 202), (event, response.json)
