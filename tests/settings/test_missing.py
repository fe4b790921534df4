"""What transfers still need (units, layouts, accounts): shown on every page, never a reason to
refuse another page's save. Plain data: no HTTP, database or Redis."""

from __future__ import annotations

import dataclasses

from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.catalogue import Option
from rackdinero_app.settings.checklist import checklist
from rackdinero_app.settings.checklist import still_missing
from rackdinero_app.settings.form import Section
from rackdinero_app.settings.rules import missing
from rackdinero_app.settings.rules import validate
from tests.settings.test_rules import CATALOGUE
from tests.settings.test_rules import FULL_PURCHASE
from tests.settings.test_rules import FULL_REVENUE
from tests.settings.test_rules import UNITS
from tests.settings.test_rules import settings

# Customers use layout 2 only; layout 1 is in Rackbeat but no customer has it.
WITH_LAYOUTS = dataclasses.replace(
    CATALOGUE,
    layouts=(Option("1", "Standard (dansk)"), Option("2", "Standard (English)")),
    layouts_in_use=frozenset({"2"}),
)
SUPPLIERS_ON = settings(supplier_integration_enabled=True, purchase_accounts=FULL_PURCHASE)
CUSTOMERS_ON = settings(customer_integration_enabled=True, revenue_accounts=FULL_REVENUE)


def test_units_of_another_page_never_make_the_purchase_page_invalid():
    assert validate(SUPPLIERS_ON, WITH_LAYOUTS) == {}
    assert set(missing(SUPPLIERS_ON, WITH_LAYOUTS)) == {"unit-1", "unit-3"}


def test_layouts_customers_use_need_a_language_while_the_customer_integration_is_on():
    on = dataclasses.replace(CUSTOMERS_ON, units=UNITS)
    assert validate(on, WITH_LAYOUTS) == {}
    notes = missing(on, WITH_LAYOUTS)
    assert list(notes) == ["layout-2"]  # layout 1 is used by no customer
    assert "customers use this layout" in str(notes["layout-2"])
    mapped = dataclasses.replace(on, layout_languages={"2": DineroLanguage.ENGLISH})
    assert missing(mapped, WITH_LAYOUTS) == {}
    suppliers_only = dataclasses.replace(SUPPLIERS_ON, units=UNITS)
    assert missing(suppliers_only, WITH_LAYOUTS) == {}  # only sales invoices carry a layout


def test_layouts_are_not_judged_while_rackbeat_is_unreachable():
    unreachable = dataclasses.replace(WITH_LAYOUTS, layouts_in_use=None)
    assert missing(dataclasses.replace(CUSTOMERS_ON, units=UNITS), unreachable) == {}
    assert not unreachable.rackbeat_available


def test_what_is_missing_names_each_thing_and_the_field_that_fixes_it():
    both_on = dataclasses.replace(
        CUSTOMERS_ON, supplier_integration_enabled=True, purchase_accounts=FULL_PURCHASE
    )
    items = still_missing(both_on, WITH_LAYOUTS)
    # One item per list, however long: it links to the first field and names them all.
    assert [(item.section, item.field) for item in items] == [
        (Section.UNITS, "unit-1"),
        (Section.UNITS, "layout-2"),
    ]
    assert "use: stk, kg." in str(items[0].message)
    assert "use: Standard (English)." in str(items[1].message)


def test_the_checklist_follows_the_article_purchase_sales_then_units_and_languages():
    deleted = {**FULL_PURCHASE, ("2", VatZone.EU): 2051}  # 2051 is not in Dinero
    values = settings(
        supplier_integration_enabled=True,
        purchase_accounts=deleted,
        customer_integration_enabled=True,
        revenue_accounts={("1", VatZone.DOMESTIC): 1000},  # a new product group has no accounts
        units={"1": DineroUnit.PARTS},
    )
    steps = checklist(values, WITH_LAYOUTS)
    assert [step.section for step in steps] == [Section.PURCHASE, Section.SALES, Section.UNITS]
    purchase, sales, units = steps
    assert [item.field for item in purchase.missing] == ["purchase-2-eu"]
    assert "2051 does not exist in Dinero" in str(purchase.missing[0].message)
    assert [item.field for item in sales.missing] == ["sales-1-eu"]  # the first empty cell
    assert [item.field for item in units.missing] == ["unit-3", "layout-2"]
    assert not any(step.done for step in steps)


def test_a_step_is_done_when_its_integration_is_on_and_nothing_is_missing():
    values = dataclasses.replace(
        SUPPLIERS_ON, units=UNITS, layout_languages={"2": DineroLanguage.ENGLISH}
    )
    purchase, sales, units = checklist(values, WITH_LAYOUTS)
    assert purchase.done and units.done
    assert not sales.done and sales.integration_on is False and sales.missing == ()


def test_the_same_deleted_account_is_listed_once_per_page():
    gone = {key: 2051 for key in FULL_PURCHASE}
    items = still_missing(settings(purchase_accounts=gone), CATALOGUE)
    assert [item.field for item in items] == ["purchase-1-domestic"]
