"""A person's steps through the install and activation, over HTTP without JavaScript (the
steps themselves are ``sandbox/flows.py``, shared with the demo)."""

from __future__ import annotations

import requests
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from sandbox import flows
from sandbox.flows import DEMO_API_KEY
from sandbox.flows import DEMO_ORGANIZATION_ID
from sandbox.flows import form_fields
from sandbox.flows import open_iframe

__all__ = [
    "DEMO_API_KEY",
    "activate",
    "connection_for",
    "form_fields",
    "install",
    "installed_and_active",
    "open_iframe",
]


def install(stack, browser: requests.Session) -> requests.Response:
    return flows.install(stack.rackbeat_url, browser)


def activate(stack, browser, page, *, api_key, organization_id) -> requests.Response:
    return flows.activate(
        stack.app_url, browser, page, api_key=api_key, organization_id=organization_id
    )


def connection_for(account_id: int) -> Connection:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Connection).where(Connection.rackbeat_account_id == account_id)
    )


def installed_and_active(stack, browser: requests.Session) -> requests.Response:
    """Install from the catalogue and activate with the demo organization 400555."""
    page = open_iframe(browser, install(stack, browser))
    return activate(
        stack, browser, page, api_key=DEMO_API_KEY, organization_id=DEMO_ORGANIZATION_ID
    )
