"""Each settings rule on plain data: no HTTP, database or Redis."""

from __future__ import annotations

import dataclasses
from datetime import UTC
from datetime import datetime

import pytest

from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.catalogue import Catalogue
from rackdinero_app.settings.catalogue import Option
from rackdinero_app.settings.changes import diff
from rackdinero_app.settings.form import Section
from rackdinero_app.settings.form import parse_section
from rackdinero_app.settings.form import section_of
from rackdinero_app.settings.rules import missing
from rackdinero_app.settings.rules import validate
from rackdinero_app.settings.schedule import next_hourly_import
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.settings.suggestions import suggest_language
from rackdinero_app.settings.suggestions import suggest_unit
from rackdinero_app.settings.suggestions import suggestions

ZONES = (VatZone.DOMESTIC, VatZone.EU, VatZone.ABROAD)
CATALOGUE = Catalogue(
    accounts={
        1000: "Salg af varer",
        1300: "Salg af ydelser",
        2000: "Varekøb",
        2050: "Varekøb EU",
        2150: "Varekøb udland",
        2100: "Vareforbrug",
        5800: "Varelager",
    },
    product_groups=(Option("1", "Finished goods"), Option("2", "Services")),
    units=(Option("1", "stk"), Option("3", "kg"), Option("5", "kasse")),
    units_in_use=frozenset({"1", "3"}),
    layouts=(Option("1", "Standard (dansk)"),),
    layouts_in_use=frozenset({"1"}),
)
FULL_PURCHASE = {(g, z): 2000 for g in ("1", "2") for z in ZONES}
FULL_REVENUE = {(g, z): 1000 for g in ("1", "2") for z in ZONES}
UNITS = {"1": DineroUnit.PARTS, "3": DineroUnit.KILOGRAM}


def settings(**changes) -> SettingsSnapshot:
    return dataclasses.replace(SettingsSnapshot(), **changes)


def test_the_defaults_are_valid():
    assert validate(SettingsSnapshot(), CATALOGUE) == {}


def test_an_account_missing_in_dinero_is_flagged_where_it_was_chosen():
    errors = validate(settings(purchase_accounts={("1", VatZone.EU): 2051}), CATALOGUE)
    assert list(errors) == ["purchase-1-eu"]
    assert "2051 does not exist in Dinero" in str(errors["purchase-1-eu"])


def test_accounts_are_not_judged_while_dinero_is_unreachable():
    unreachable = dataclasses.replace(CATALOGUE, accounts=None)
    assert validate(settings(inventory_account=9999), unreachable) == {}


def test_supplier_integration_needs_the_whole_purchase_matrix():
    partial = {("1", z): 2000 for z in ZONES}
    errors = validate(
        settings(supplier_integration_enabled=True, purchase_accounts=partial, units=UNITS),
        CATALOGUE,
    )
    assert set(errors) == {
        "supplier_integration_enabled",
        "purchase-2-domestic",
        "purchase-2-eu",
        "purchase-2-abroad",
    }
    full = settings(supplier_integration_enabled=True, purchase_accounts=FULL_PURCHASE, units=UNITS)
    assert validate(full, CATALOGUE) == {}


def test_customer_integration_needs_the_whole_revenue_matrix():
    errors = validate(
        settings(customer_integration_enabled=True, purchase_accounts=FULL_PURCHASE, units=UNITS),
        CATALOGUE,
    )
    assert "customer_integration_enabled" in errors and "sales-1-domestic" in errors
    full = settings(customer_integration_enabled=True, revenue_accounts=FULL_REVENUE, units=UNITS)
    assert validate(full, CATALOGUE) == {}


def test_goods_consumption_needs_both_accounts():
    errors = validate(settings(goods_consumption_enabled=True), CATALOGUE)
    assert set(errors) == {"inventory_account", "goods_consumption_account"}


def test_goods_consumption_accounts_must_differ():
    same = settings(
        goods_consumption_enabled=True, inventory_account=5800, goods_consumption_account=5800
    )
    assert "must differ" in str(validate(same, CATALOGUE)["goods_consumption_account"])
    apart = dataclasses.replace(same, goods_consumption_account=2100)
    assert validate(apart, CATALOGUE) == {}


def test_units_in_use_must_be_mapped_while_an_integration_is_on():
    on = settings(
        customer_integration_enabled=True,
        revenue_accounts=FULL_REVENUE,
        units={"1": DineroUnit.PARTS},
        layout_languages={"1": DineroLanguage.DANISH},
    )
    # Missing (listed, never refusing a save: it is another page's choice), not invalid.
    assert list(missing(on, CATALOGUE)) == ["unit-3"]  # kasse (5) is not used by any product
    assert validate(on, CATALOGUE) == {}
    assert missing(dataclasses.replace(on, customer_integration_enabled=False), CATALOGUE) == {}


def test_parsing_a_section_keeps_the_other_sections():
    current = settings(revenue_accounts={("1", VatZone.DOMESTIC): 1000}, units=UNITS)
    form = {
        "supplier_integration_enabled": "on",
        "supplier_invoice_status": "booked",
        "purchase-1-domestic": "2000",
        "purchase-1-eu": "",
        "purchase-2-abroad": "x",
    }
    after, errors = parse_section(Section.PURCHASE, form, CATALOGUE, current)
    assert after.supplier_integration_enabled and not after.supplier_number_in_name
    assert after.purchase_accounts == {("1", VatZone.DOMESTIC): 2000}
    assert after.revenue_accounts == current.revenue_accounts and after.units == UNITS
    assert list(errors) == ["purchase-2-abroad"]


def test_parsing_refuses_values_outside_the_choices():
    form = {"invoice_direction": "sideways", "sales_invoice_status": "draft"}
    _, errors = parse_section(Section.SALES, form, CATALOGUE, SettingsSnapshot())
    assert list(errors) == ["invoice_direction"]
    _, errors = parse_section(Section.UNITS, {"unit-1": "pieces"}, CATALOGUE, SettingsSnapshot())
    assert list(errors) == ["unit-1"]


@pytest.mark.parametrize(
    ("field", "section"),
    [
        ("purchase-1-eu", Section.PURCHASE),
        ("inventory_account", Section.SALES),
        ("sales-2-abroad", Section.SALES),
        ("unit-3", Section.UNITS),
        ("layout-1", Section.UNITS),
    ],
)
def test_each_field_belongs_to_one_page(field, section):
    assert section_of(field) is section


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("stk", DineroUnit.PARTS),
        ("Pcs", DineroUnit.PARTS),
        ("styk", DineroUnit.PARTS),
        ("kg", DineroUnit.KILOGRAM),
        ("timer", DineroUnit.HOURS),
        ("hours", DineroUnit.HOURS),
        ("kasse", DineroUnit.BOX),
        ("box", DineroUnit.BOX),
        ("palle", None),
    ],
)
def test_unit_names_suggest_a_dinero_unit(name, unit):
    assert suggest_unit(name) is unit


def test_layout_names_suggest_a_language():
    assert suggest_language("Standard (dansk)") is DineroLanguage.DANISH
    assert suggest_language("Standard (English)") is DineroLanguage.ENGLISH
    assert suggest_language("Label") is None


def test_suggestions_skip_saved_choices():
    proposed = suggestions(CATALOGUE.units, {"1": DineroUnit.SET}, suggest_unit)
    assert proposed == {"3": DineroUnit.KILOGRAM, "5": DineroUnit.BOX}


def test_the_diff_names_each_changed_field_and_mapping():
    before = settings(purchase_accounts={("1", VatZone.EU): 2050}, units={"1": DineroUnit.PARTS})
    after = settings(
        supplier_integration_enabled=True, purchase_accounts={("1", VatZone.EU): 2150}, units={}
    )
    assert diff(before, after) == {
        "supplier_integration_enabled": {"before": False, "after": True},
        "purchase_accounts[1/eu]": {"before": 2050, "after": 2150},
        "units[1]": {"before": "parts", "after": None},
    }
    assert diff(after, after) == {}


@pytest.mark.parametrize(
    ("now", "expected"),
    [((13, 0), (13, 13)), ((13, 13), (14, 13)), ((13, 59), (14, 13)), ((23, 30), (0, 13))],
)
def test_the_hourly_import_runs_at_13_past(now, expected):
    moment = datetime(2026, 3, 2, *now, tzinfo=UTC)
    run = next_hourly_import(moment)
    assert (run.hour, run.minute) == expected and run > moment
