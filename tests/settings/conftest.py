"""The settings pages against both sandboxes: an installed, active connection and its session."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlparse

import pytest
import requests

from rackdinero_app.extensions import db
from rackdinero_app.models.enums import ConnectionState
from tests.flows import DEMO_API_KEY
from tests.flows import connection_for
from tests.flows import install
from tests.flows import open_iframe
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
    """Install from the catalogue, make the connection active, return the session token ``s``."""
    settings_page = install(stack, browser)
    # Activation itself is tested elsewhere; here the connection is simply made active.
    with stack.app.app_context():
        connection = connection_for(12345)
        connection.dinero_organization_id = 400555
        connection.dinero_api_key = DEMO_API_KEY
        connection.state = ConnectionState.ACTIVE
        db.session.commit()
    home = open_iframe(browser, settings_page)
    return parse_qs(urlparse(home.url).query)["s"][0]
