"""Saving is all-or-nothing and audited; the page speaks the user's language."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from rackdinero_app.embedded import settings_views
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Settings
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.settings.catalogue import Catalogue
from tests.settings.test_rules import CATALOGUE

ACCOUNT = 12345


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def catalogue(monkeypatch):
    """The live lists replaced by fixed ones; a test may swap them (e.g. for an outage)."""
    current = {"value": CATALOGUE}
    monkeypatch.setattr(settings_views, "load_catalogue", lambda c, fresh=False: current["value"])
    return current


@pytest.fixture
def session(make_connection, open_session, catalogue):
    make_connection(rackbeat_account_id=ACCOUNT)
    return open_session(ACCOUNT)


def post(client, session, section, form):
    page = client.get(f"/embedded/settings/{section}", query_string={"s": session})
    data = {"s": session, "csrf_token": csrf_of(page.get_data(as_text=True)), **form}
    return client.post(f"/embedded/settings/{section}", data=data)


def everything(db) -> list:
    """Every settings, mapping and audit row, as plain tuples."""
    rows = []
    for model in (Settings, AccountMapping, UnitMapping, AuditEntry):
        for row in db.session.scalars(sa.select(model)):
            rows.append(tuple(sorted((k, str(v)) for k, v in vars(row).items() if k[0] != "_")))
    db.session.expire_all()
    return sorted(rows)


PURCHASE = {"supplier_invoice_status": "draft", "supplier_number_in_name": "on"}


def test_a_valid_save_writes_everything_and_one_audit_entry(client, db, session):
    form = {**PURCHASE, "purchase-1-domestic": "2000", "purchase-1-eu": "2050"}
    response = post(client, session, "purchase", form)
    assert response.status_code == 303
    mappings = db.session.scalars(sa.select(AccountMapping)).all()
    assert {(m.product_group, m.vat_zone, m.account_number) for m in mappings} == {
        ("1", "domestic", 2000),
        ("1", "eu", 2050),
    }
    (entry,) = db.session.scalars(sa.select(AuditEntry)).all()
    assert entry.actor == "mette@demo-lager.dk" and entry.action == "settings.updated"
    assert entry.details["changes"]["purchase_accounts[1/eu]"] == {"before": None, "after": 2050}

    post(client, session, "purchase", {**form, "purchase-1-eu": "2150"})
    latest = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert latest.details["changes"] == {"purchase_accounts[1/eu]": {"before": 2050, "after": 2150}}


def test_an_invalid_save_changes_nothing(client, db, session):
    post(client, session, "purchase", {**PURCHASE, "purchase-1-domestic": "2000"})
    before = everything(db)
    form = {
        "supplier_integration_enabled": "on",  # the matrix is incomplete
        "supplier_invoice_status": "booked",
        "purchase-1-domestic": "2150",
        "purchase-2-eu": "9999",  # not in Dinero
    }
    response = post(client, session, "purchase", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="purchase-2-eu-error"' in html and 'id="supplier_integration_enabled-error"' in html
    assert everything(db) == before


def test_a_change_that_breaks_another_page_is_refused_with_a_link(client, db, session):
    full = {f"purchase-{g}-{z}": "2000" for g in "12" for z in ("domestic", "eu", "abroad")}
    response = post(
        client, session, "purchase", {**PURCHASE, **full, "supplier_integration_enabled": "on"}
    )
    assert response.status_code == 422  # the units products use are not mapped yet
    assert "/embedded/settings/units" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Settings)).all() == []


def test_nothing_is_saved_while_a_system_is_unreachable(client, db, session, catalogue):
    catalogue["value"] = Catalogue(accounts=CATALOGUE.accounts, rackbeat_error="Rackbeat is down.")
    response = post(client, session, "purchase", {**PURCHASE, "purchase-1-domestic": "2000"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert 'id="rackbeat-unavailable"' in html and "Rackbeat is down." in html
    assert '<fieldset class="plain" disabled>' in html
    assert db.session.scalars(sa.select(AccountMapping)).all() == []


def test_suggested_units_are_shown_but_not_saved(client, db, session):
    html = client.get("/embedded/settings/units", query_string={"s": session}).get_data(
        as_text=True
    )
    assert '<option value="kilogram" selected>' in html and 'class="suggested"' in html
    assert db.session.scalars(sa.select(UnitMapping)).all() == []


def test_the_start_sync_choice_is_stored_and_audited(client, db, session):
    response = post(client, session, "start-sync", {"start_sync": "requested"})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Settings.start_sync)) == StartSyncChoice.REQUESTED
    assert db.session.scalar(sa.select(AuditEntry.action)) == "settings.start_sync"


def test_the_page_speaks_the_users_language_and_the_switcher_keeps_it(client, session):
    danish = client.get("/embedded/settings/sales", query_string={"s": session})
    assert "Aktivér kundeintegration" in danish.get_data(as_text=True)  # the launch said "da"
    switch = client.get(
        "/embedded/language/sv",
        query_string={"s": session, "next": f"/embedded/settings/sales?s={session}"},
    )
    assert switch.status_code == 302
    refresh()  # the test client shares one app context (and so Babel's cached locale)
    swedish = client.get(switch.location)
    assert "Aktivera kundintegration" in swedish.get_data(as_text=True)
    home = client.get("/embedded/", query_string={"s": session}).get_data(as_text=True)
    assert "Inköp och leverantörer" in home and 'lang="sv"' in home


def test_the_switcher_only_returns_to_embedded_pages(client, session):
    response = client.get(
        "/embedded/language/en", query_string={"s": session, "next": "https://evil.example/"}
    )
    assert response.status_code == 400
