"""Contract A's callback: a forged or stale state changes nothing, so a link someone else
made cannot cancel an install in progress."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.install import signed_request
from rackdinero_app.models import Connection
from tests.install.conftest import ACCOUNT_ID


def consent(app, client, rackbeat) -> str:
    """Start an install in ``client`` and allow it at Rackbeat; the callback URL it returns."""
    params = {"account_id": str(ACCOUNT_ID), "timestamp": str(int(time.time()))}
    params["hmac"] = signed_request.signature(params, app.config["RACKBEAT_CLIENT_SECRET"])
    authorize = urlsplit(client.get("/install", query_string=params).location)
    page = rackbeat.browser.get(f"{authorize.path}?{authorize.query}").get_data(as_text=True)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page)[1]
    answer = rackbeat.browser.post(
        "/oauth/authorize", data={"request_id": request_id, "decision": "allow"}
    )
    callback = urlsplit(answer.location)
    return f"{callback.path}?{callback.query}"


def test_a_forged_state_does_not_cancel_the_install_in_progress(app, client, rackbeat):
    callback = consent(app, client, rackbeat)

    forged = client.get("/install/callback", query_string={"state": "x", "code": "y"})

    assert forged.status_code == 400
    assert "already used or has expired" in forged.get_data(as_text=True)
    assert client.get(callback).status_code == 302  # Rackbeat's real answer still installs
    db.session.expire_all()
    installed = db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == ACCOUNT_ID)
    )
    assert installed is not None
