"""Every request the app sends Rackbeat names its consumer (``Consumer-Name``,
``Consumer-Contact``, ``User-Agent: name (contact)``): API calls, both contracts' token calls,
accept and cancel. The Rackbeat sandbox records what each request said."""

from __future__ import annotations

import re
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from rackdinero_app.connections import rackbeat_client
from rackdinero_app.extensions import db
from rackdinero_app.install import signed_request
from rackdinero_app.models import Connection
from tests.install.conftest import ACCOUNT_ID
from tests.install.conftest import CONTACT
from tests.install.conftest import Onboarding
from tests.jobs import run_queued_jobs


def install_with_oauth(app, client, rackbeat) -> Connection:
    """Contract A in full: signed install → consent → callback (authlib's code exchange)."""
    params = {"account_id": str(ACCOUNT_ID), "timestamp": str(int(time.time()))}
    params["hmac"] = signed_request.signature(params, app.config["RACKBEAT_CLIENT_SECRET"])
    authorize = urlsplit(client.get("/install", query_string=params).location)
    consent = rackbeat.browser.get(f"{authorize.path}?{authorize.query}").get_data(as_text=True)
    request_id = re.search(r'name="request_id" value="([^"]+)"', consent)[1]
    answer = rackbeat.browser.post(
        "/oauth/authorize", data={"request_id": request_id, "decision": "allow"}
    )
    callback = urlsplit(answer.location)
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == ACCOUNT_ID)
    )


def named(call) -> bool:
    return (
        call["consumer_name"] == "rackdinero"
        and call["consumer_contact"] == CONTACT
        and call["user_agent"] == f"rackdinero ({CONTACT})"
    )


def test_an_oauth_install_and_its_api_calls_name_the_consumer(app, client, rackbeat):
    install_with_oauth(app, client, rackbeat)

    calls = rackbeat.calls()
    assert {"/oauth/token", "/api/self", "/api/webhooks"} <= {call["path"] for call in calls}
    assert [call for call in calls if not named(call)] == []


def test_every_kind_of_rackbeat_request_names_the_consumer(app, client, rackbeat, dinero_url):
    connection = install_with_oauth(app, client, rackbeat)
    connection.rackbeat_token_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    rackbeat_client(connection).get_self()  # contract A's refresh_token grant first

    rackbeat.browser.post("/settings/apps/dinero/uninstall")
    Onboarding(client, rackbeat).begin().cancel()
    Onboarding(client, rackbeat).begin().submit()
    run_queued_jobs()  # accept, then the install's API calls
    db.session.expire_all()
    connection = db.session.get(Connection, connection.id)
    token = connection.rackbeat_access_token
    rackbeat.store.access_tokens[token].expires_at = rackbeat.store.now() - 1
    rackbeat_client(connection).get_self()  # a 401, then replace-current

    calls = rackbeat.calls()
    kinds = {re.sub(r"/(accept|cancel)/.*", r"/\1", call["path"]) for call in calls}
    assert {
        "/oauth/token",
        "/api/self",
        "/api/plugins/dinero/set-settings-url",
        "/api/webhooks",
        "/integration/accept",
        "/integration/cancel",
        "/api/tokens/replace-current",
    } <= kinds
    token_grants = [call for call in calls if call["path"] == "/oauth/token"]
    assert len(token_grants) == 2  # the code exchange and the refresh
    assert [call for call in calls if not named(call)] == []
