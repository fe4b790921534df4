"""The demo's second installation, with something for support to fix.

The Rackbeat sandbox's second account (Anden Butik ApS) installs and activates the app as a
person would (``sandbox/flows.py``), gets the demo settings minus one cell of the revenue
matrix (product group 2 for Danish customers), and books its invoice: the transfer fails
with "map a revenue account", and the support dashboard shows a connection with a failure
whose fix is assisted setup and a retry. Run by ``make demo`` (``sandbox/demo.py``) after
the app, the worker and both sandboxes are up; safe to run again.
"""

from __future__ import annotations

import os
import re
import sys

import requests
import sqlalchemy as sa
from flask import Flask

from rackdinero_app import create_app
from rackdinero_app.extensions import db
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import Connection
from rackdinero_app.models import LayoutLanguage
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import VatZone
from sandbox.demo_settings import configure
from sandbox.flows import DEMO_API_KEY
from sandbox.flows import DEMO_ORGANIZATION_ID
from sandbox.flows import activate
from sandbox.flows import install
from sandbox.flows import open_iframe
from sandbox.rackbeat.seed import SECOND_ACCOUNT_ID

MISSING_GROUP = "2"  # Gavekort, sold to a Danish customer on the account's invoice


def set_up_with_a_gap(connection_id: int) -> None:
    """The demo settings, but no revenue account for group 2 and Danish customers."""
    for model in (AccountMapping, UnitMapping, LayoutLanguage):
        db.session.execute(sa.delete(model).where(model.connection_id == connection_id))
    configure(connection_id)
    db.session.execute(
        sa.delete(AccountMapping).where(
            AccountMapping.connection_id == connection_id,
            AccountMapping.direction == MappingDirection.SALES,
            AccountMapping.product_group == MISSING_GROUP,
            AccountMapping.vat_zone == VatZone.DOMESTIC,
        )
    )
    db.session.commit()


def seed(app: Flask, app_url: str, rackbeat_url: str) -> int:
    """Install, activate and set up the second account (the settings through ``app``'s
    database), then book its invoices; returns the connection's id."""
    browser = requests.Session()
    page = open_iframe(browser, install(rackbeat_url, browser, SECOND_ACCOUNT_ID))
    activate(app_url, browser, page, api_key=DEMO_API_KEY, organization_id=DEMO_ORGANIZATION_ID)
    with app.app_context():
        connection = db.session.scalar(
            sa.select(Connection).where(Connection.rackbeat_account_id == SECOND_ACCOUNT_ID)
        )
        if connection is None or connection.state != ConnectionState.ACTIVE:
            raise SystemExit("The demo's second account could not be activated.")
        connection_id = connection.id
        set_up_with_a_gap(connection_id)
    listing = browser.get(f"{rackbeat_url}/customer-invoices", timeout=10)
    for number in re.findall(r"/customer-invoices/(\d+)/book", listing.text):
        booked = browser.post(f"{rackbeat_url}/customer-invoices/{number}/book", timeout=10)
        booked.raise_for_status()
    return connection_id


def main() -> int:
    app_url = os.environ["RACKDINERO_PUBLIC_URL"]
    connection_id = seed(create_app(), app_url, os.environ["RACKDINERO_RACKBEAT_BASE_URL"])
    print(
        f"Demo: Anden Butik ApS is installed with a failing transfer (connection {connection_id})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
