"""The settings pages against both sandboxes: an installed, active connection and its session."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlparse

import pytest
import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState
from tests.stack import running_stack


@pytest.fixture
def stack(app_config, tmp_path, redis):
    with running_stack(app_config, tmp_path) as stack:
        yield stack


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


@pytest.fixture
def active_session(stack, browser) -> str:
    """Install from the catalogue, activate with the demo Dinero company, return the token ``s``."""
    consent = browser.get(f"{stack.rackbeat_url}/apps/dinero/install")
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', consent.text))
    settings_page = browser.post(
        f"{stack.rackbeat_url}/oauth/authorize", data={**fields, "decision": "allow"}
    )
    # Activation itself is tested elsewhere; here the connection is simply made active.
    with stack.app.app_context():
        connection = db.session.scalar(
            sa.select(Connection).where(Connection.rackbeat_account_id == 12345)
        )
        connection.dinero_organization_id = 400555
        connection.dinero_api_key = "demo-dinero-api-key"
        connection.state = ConnectionState.ACTIVE
        db.session.commit()
    frame_src = re.search(r'<iframe[^>]*src="([^"]+)"', settings_page.text).group(1)
    home = browser.get(unescape(frame_src))
    return parse_qs(urlparse(home.url).query)["s"][0]
