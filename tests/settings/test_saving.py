"""Saving is all-or-nothing and audited; the page speaks the user's language."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from rackdinero_app.embedded import overview
from rackdinero_app.embedded import settings_views
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import AuditEntry
from rackdinero_app.models import Settings
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import StartSyncChoice
from rackdinero_app.settings.catalogue import Catalogue
from tests.settings.test_missing import WITH_LAYOUTS
from tests.settings.test_rules import CATALOGUE

ACCOUNT = 12345


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def catalogue(monkeypatch):
    """The live lists replaced by fixed ones; a test may swap them (e.g. for an outage)."""
    current = {"value": CATALOGUE}
    for module in (settings_views, overview):  # the settings pages and the overview
        monkeypatch.setattr(module, "load_catalogue", lambda c, fresh=False: current["value"])
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
ZONES = ("domestic", "eu", "abroad")
ALL_PURCHASES = {f"purchase-{g}-{z}": "2000" for g in "12" for z in ZONES}
ALL_REVENUE = {f"sales-{g}-{z}": "1000" for g in "12" for z in ZONES}
SALES = {"sales_invoice_status": "draft", "invoice_direction": "rackbeat_to_dinero"}


def part(html: str, element_id: str) -> str:
    """The ``<section>`` with ``element_id`` ("" when the page has none)."""
    found = re.search(rf'<section[^>]*id="{element_id}".*?</section>', html, re.S)
    return found.group(0) if found else ""


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


def test_a_page_is_saved_while_another_page_still_misses_something(client, db, session):
    response = post(
        client,
        session,
        "purchase",
        {**PURCHASE, **ALL_PURCHASES, "supplier_integration_enabled": "on"},
    )
    assert response.status_code == 303  # the units products use are not mapped yet: listed
    assert db.session.scalar(sa.select(Settings.supplier_integration_enabled)) is True
    listed = part(client.get(response.location).get_data(as_text=True), "still-missing")
    assert "Mangler stadig, før overførsler kan køre" in listed  # Danish, like the page
    assert f"/embedded/settings/units?s={session}#unit-1" in listed
    assert "dine varer bruger: stk, kg." in listed  # kasse (5) is used by no product


def test_the_articles_order_saves_each_page_and_the_overview_lists_what_is_left(
    client, db, session, catalogue
):
    catalogue["value"] = WITH_LAYOUTS
    on = {"supplier_integration_enabled": "on"}
    assert post(client, session, "purchase", {**PURCHASE, **ALL_PURCHASES, **on}).status_code == 303
    on = {"customer_integration_enabled": "on"}
    assert post(client, session, "sales", {**SALES, **ALL_REVENUE, **on}).status_code == 303

    home = client.get("/embedded/", query_string={"s": session}).get_data(as_text=True)
    checklist = part(home, "setup-checklist")
    steps = [checklist.index(f'id="step-{step}"') for step in ("purchase", "sales", "units")]
    assert steps == sorted(steps)  # purchase → sales → units and languages
    units_step = checklist[steps[2] :]
    for field, names in (("unit-1", "stk, kg."), ("layout-2", "Standard (English).")):
        assert f"/embedded/settings/units?s={session}#{field}" in units_step
        assert f"bruger: {names}" in units_step
    assert "Standard (dansk)" not in checklist  # no customer uses it

    units = client.get("/embedded/settings/units", query_string={"s": session})
    assert 'id="layout-2-error"' in units.get_data(as_text=True)  # shown next to the layout
    mapped = {"unit-1": "parts", "unit-3": "kilogram"}
    assert post(client, session, "units", mapped).status_code == 303  # a layout is still open
    assert "#layout-2" in part(
        client.get("/embedded/", query_string={"s": session}).get_data(as_text=True),
        "setup-checklist",
    )
    assert post(client, session, "units", {**mapped, "layout-2": "en-GB"}).status_code == 303

    home = client.get("/embedded/", query_string={"s": session}).get_data(as_text=True)
    assert 'id="checklist-ready"' in part(home, "setup-checklist") and "#unit-" not in home
    units = client.get("/embedded/settings/units", query_string={"s": session})
    assert part(units.get_data(as_text=True), "still-missing") == ""


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
