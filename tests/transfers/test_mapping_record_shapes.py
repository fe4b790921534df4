"""Rackbeat records as they may come: fields no public model shows are derived or looked up
elsewhere, or refused by name; countries given as names; lot lines. Pure mapping, no I/O."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.errors import MissingMapping
from rackdinero_app.transfers.mapping import InvoiceTotals
from rackdinero_app.transfers.mapping import contact_payload
from rackdinero_app.transfers.mapping import expected_credit_note_totals
from rackdinero_app.transfers.mapping import expected_invoice_totals
from rackdinero_app.transfers.mapping import goods_consumption_cost
from rackdinero_app.transfers.mapping import product_numbers
from rackdinero_app.transfers.mapping import product_payload
from rackdinero_app.transfers.mapping import totals_match
from sandbox import rackbeat as rackbeat_sandbox
from sandbox.dinero import validation
from sandbox.rackbeat import seed
from tests.transfers.test_mapping import ABROAD
from tests.transfers.test_mapping import CONTACT_GUID
from tests.transfers.test_mapping import EU
from tests.transfers.test_mapping import PRODUCTS
from tests.transfers.test_mapping import D
from tests.transfers.test_mapping import fix_texts
from tests.transfers.test_mapping import gc_payload
from tests.transfers.test_mapping import make_contact
from tests.transfers.test_mapping import make_invoice
from tests.transfers.test_mapping import make_line
from tests.transfers.test_mapping import make_product
from tests.transfers.test_mapping import make_settings
from tests.transfers.test_mapping import sales_invoice
from tests.transfers.test_mapping import supplier_voucher
from tests.transfers.test_mapping import two_group_invoice


def without(record: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in record.items() if name not in names}


def code_of(raised: pytest.ExceptionInfo) -> str:
    return raised.value.explanation.code


# --- totals: total_vat is in no public model -----------------------------------------------


def test_without_total_vat_the_vat_is_rackbeats_total_less_its_subtotal():
    # 2 × 4995 + 3 × 650 = 11940.00 excl. VAT; Rackbeat's own totals say 2985.00 VAT.
    invoice = without(two_group_invoice(), "total_vat") | {
        "total_subtotal": 11940.0,
        "total_total": 14925.0,
    }

    totals = expected_invoice_totals(invoice)

    assert totals == InvoiceTotals(
        Decimal("11940.00"), Decimal("2985.00"), Decimal("14925.00"), line_count=2
    )
    dinero = {"TotalExclVat": 11940.0, "TotalVat": 2985.0, "TotalInclVat": 14925.0}
    assert totals_match(totals, dinero) is None


def test_without_total_vat_or_subtotal_the_vat_is_the_total_less_the_lines():
    invoice = without(two_group_invoice(), "total_vat", "total_subtotal") | {"total_total": 14925}

    assert expected_invoice_totals(invoice).vat == Decimal("2985.00")


def test_a_credit_note_without_total_vat_derives_it_with_its_signs():
    credit = make_invoice([make_line("100", -2, 4995.0)], number=1007)
    credit = without(credit, "total_vat") | {"total_subtotal": -9990.0, "total_total": -12487.5}

    totals = expected_credit_note_totals(credit)

    assert (totals.excl_vat, totals.vat, totals.incl_vat) == (
        Decimal("9990.00"),
        Decimal("2497.50"),
        Decimal("12487.50"),
    )


def test_an_invoice_with_neither_a_vat_total_nor_a_total_fails_naming_both_fields():
    invoice = without(two_group_invoice(), "total_vat", "total_total")

    with pytest.raises(InvalidSourceRecord) as raised:
        expected_invoice_totals(invoice)

    assert code_of(raised) == "vat_total_missing"
    assert raised.value.reason_code == "invalid_record"
    assert raised.value.message.startswith("Rackbeat invoice 1001 has neither a VAT total")
    assert "(total_vat, total_total)" in raised.value.message


def test_a_total_that_is_not_a_number_is_named():
    invoice = without(two_group_invoice(), "total_vat") | {"total_total": "n/a"}

    with pytest.raises(InvalidSourceRecord) as raised:
        expected_invoice_totals(invoice)

    assert raised.value.message == (
        "The total incl. VAT of Rackbeat invoice 1001 is not a number in Rackbeat: 'n/a'."
    )


# --- dates: invoice_date is in no public model ---------------------------------------------

MOMENTS = {
    "invoiced_at": "2026-03-04T10:00:00+01:00",
    "booked_at": "2026-03-05T08:00:00+00:00",
    "created_at": "2026-03-01 12:00:00",
}


@pytest.mark.parametrize(
    ("sent", "date"),
    [
        (("invoiced_at", "booked_at", "created_at"), "2026-03-04"),
        (("booked_at", "created_at"), "2026-03-05"),
        (("created_at",), "2026-03-01"),
    ],
)
def test_without_an_invoice_date_every_document_is_dated_by_the_first_moment_sent(sent, date):
    invoice = without(two_group_invoice(), "invoice_date", "booked_at") | {
        name: MOMENTS[name] for name in sent
    }

    assert sales_invoice(invoice)["Date"] == date
    assert supplier_voucher(invoice | {"number": 5001}, "domestic")["VoucherDate"] == date
    assert gc_payload(invoice)["VoucherDate"] == date


def test_the_invoice_date_wins_over_every_moment():
    invoice = two_group_invoice() | MOMENTS

    assert sales_invoice(invoice)["Date"] == "2026-03-02"


def test_an_invoice_without_any_date_fails_naming_the_fields_read():
    invoice = without(two_group_invoice(), "invoice_date", "booked_at")

    with pytest.raises(InvalidSourceRecord) as raised:
        sales_invoice(invoice)

    assert code_of(raised) == "document_without_date"
    assert "(none of invoice_date, invoiced_at, booked_at, created_at is set)" in (
        raised.value.message
    )


# --- units and groups: a line's unit_id is in no public model; records may nest --------------


def test_a_line_without_unit_id_takes_its_nested_unit_else_its_products():
    nested = without(make_line("100", 1, 10.0), "unit_id") | {"unit": {"id": 4, "number": 4}}
    bare = without(make_line("200", 1, 10.0), "unit_id")  # product 200's unit is 4 (timer)

    body = sales_invoice(make_invoice([nested, bare]))

    assert [line["Unit"] for line in body["ProductLines"]] == ["hours", "hours"]


def test_products_whose_group_and_unit_are_nested_records_are_mapped_by_their_numbers():
    services = {"number": 2, "name": "Services", "has_inventory": False}
    products = {
        "200": make_product("200", 2, 4) | {"group": services, "unit": {"number": 4, "name": "t"}}
    }
    invoice = make_invoice([without(make_line("200", 2, 650.0), "unit_id")])

    body = sales_invoice(invoice, products=products)
    product = product_payload(products["200"], make_settings(), external_reference="r")

    assert [(x["AccountNumber"], x["Unit"]) for x in body["ProductLines"]] == [(1300, "hours")]
    assert (product["AccountNumber"], product["Unit"]) == (1300, "hours")


def test_a_missing_mapping_names_a_nested_unit_by_its_own_name():
    products = {"301": PRODUCTS["301"] | {"unit": {"number": 5, "name": "kasse"}}}
    invoice = make_invoice([without(make_line("301", 1, 10.0), "unit_id")])

    with pytest.raises(MissingMapping) as raised:
        sales_invoice(invoice, products=products, unit_names=None)

    assert 'Map the Rackbeat unit "kasse" (5) to a Dinero unit' in fix_texts(raised.value)[-1]


def test_a_line_with_no_unit_anywhere_is_refused_naming_the_line():
    products = {"9": without(make_product("9", 1, 1), "unit")}
    invoice = make_invoice([without(make_line("9", 1, 10.0, name="Bord"), "unit_id")])

    with pytest.raises(InvalidSourceRecord) as raised:
        sales_invoice(invoice, products=products)

    assert raised.value.message == 'Rackbeat invoice 1001: line 1 ("Bord") has no unit.'


# --- cost prices and stock goods (goods consumption) ----------------------------------------


def test_a_line_without_cost_price_costs_the_products_cost_else_its_recommended_one():
    products = {
        "100": without(PRODUCTS["100"], "cost_price") | {"recommended_cost_price": 2400.0},
        "300": PRODUCTS["300"],  # cost_price 41.23
    }
    lines = [without(make_line(n, 2, 10.0), "cost_price") for n in ("100", "300")]

    assert goods_consumption_cost(make_invoice(lines), products) == Decimal("4882.46")


def test_the_current_sdks_physical_object_does_not_make_a_service_stock_goods():
    # Rackbeat's current SDK reads ``physical`` as size and weight, and the group as a record.
    size = {"weight": 0.0, "weight_unit": "kg", "height": 0.0, "width": 0.0, "depth": 0.0}
    services = {"number": 2, "name": "Services", "has_inventory": False}
    goods = {"number": 1, "name": "Finished goods", "has_inventory": True}
    products = {
        "100": PRODUCTS["100"] | {"physical": size, "group": goods},
        "201": PRODUCTS["201"] | {"physical": size, "group": services},
    }
    invoice = make_invoice([make_line("100", 1, 4995.0), make_line("201", 1, 395.0)])

    assert goods_consumption_cost(invoice, products) == Decimal("2328.00")


# --- countries as codes or names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "key"),
    [
        ("Norge", "NO"),  # Danish, Norwegian Bokmål, Swedish
        ("Noreg", "NO"),  # Nynorsk
        ("Danmark", "DK"),
        ("Sverige", "SE"),
        ("Sweden", "SE"),
        ("Schweden", "SE"),
        ("Deutschland", "DE"),
        ("Tyskland", "DE"),
        ("  deutschland ", "DE"),
        ("Österreich", "AT"),
        ("Osterreich", "AT"),  # typed without its umlaut
        ("Storbritannien", "GB"),
        ("Grønland", "GL"),
        ("Suomi", "FI"),
        ("no", "NO"),
        ("NOR", "NO"),
        ("dnk", "DK"),
        ("UK", "GB"),
        ("USA", "US"),
    ],
)
def test_a_country_given_as_a_name_or_code_is_sent_as_its_iso_code(country, key):
    body = contact_payload(
        make_contact(address_country=country, vat_zone="abroad"),
        include_number=False,
        guid=CONTACT_GUID,
        external_reference="r",
    )

    assert body["CountryKey"] == key


def test_a_danish_company_named_by_its_country_name_keeps_its_cvr_as_eight_digits():
    body = contact_payload(
        make_contact(address_country="Danmark", company_vat="DK11223344"),
        include_number=False,
        guid=CONTACT_GUID,
        external_reference="r",
    )

    assert (body["CountryKey"], body["VatNumber"]) == ("DK", "11223344")


@pytest.mark.parametrize("country", ["Narnia", "XX", "Kongo"])  # Kongo: two countries
def test_an_unknown_country_is_refused_naming_the_value_never_sent_as_another(country):
    with pytest.raises(InvalidSourceRecord) as raised:
        contact_payload(
            make_contact(address_country=country),
            include_number=False,
            guid=CONTACT_GUID,
            external_reference="r",
        )

    assert code_of(raised) == "unknown_country"
    assert raised.value.message.startswith(
        f'"Nordisk Cykel A/S" (1001) has the country "{country}" in Rackbeat, which the app '
        "does not recognise"
    )


@pytest.mark.parametrize("country", [None, "", "  "])
def test_a_contact_without_a_country_is_still_refused_as_before(country):
    with pytest.raises(InvalidSourceRecord) as raised:
        contact_payload(
            make_contact(address_country=country),
            include_number=False,
            guid=CONTACT_GUID,
            external_reference="r",
        )

    assert code_of(raised) == "contact_without_country"


# --- lot lines ------------------------------------------------------------------------------


def lot_line(number: str = "LOT-7") -> dict[str, Any]:
    return make_line(number, 2, 500.0, child_type="lot", name="Havesæt")


@pytest.mark.parametrize("kind", ["sales", "supplier"])
def test_a_lot_line_is_refused_naming_the_line_and_the_lot(kind):
    invoice = make_invoice([make_line("100", 1, 10.0), lot_line()], number=5001)

    with pytest.raises(InvalidSourceRecord) as raised:
        if kind == "sales":
            sales_invoice(invoice)
        else:
            supplier_voucher(invoice, "domestic")

    assert code_of(raised) == "lot_line"
    assert ': line 2 ("Havesæt") is the lot LOT-7. Lots are not transferred' in (
        raised.value.message
    )


def test_a_lot_line_is_not_booked_as_the_product_of_the_same_number():
    invoice = make_invoice([lot_line("100")])

    with pytest.raises(InvalidSourceRecord) as raised:
        goods_consumption_cost(invoice, PRODUCTS)

    assert code_of(raised) == "lot_line"


def test_product_numbers_are_those_of_product_lines_only():
    lines = [make_line("100", 1, 1.0), lot_line(), make_line("201", 1, 1.0, child_type=None)]

    assert product_numbers(lines) == {"100", "201"}


# --- the sandbox's public-model variant, end to end through the mapping ---------------------


def test_the_seeded_records_as_the_public_models_show_them_map_to_valid_bodies():
    store = rackbeat_sandbox.create_app().extensions["rackbeat_sandbox"]
    records = store.accounts[12345].records
    codes = {n: c["address_country"] for n, c in records["customers"].items()}
    with store.lock:
        seed.as_public_model(store.accounts[12345])
    records = copy.deepcopy(records)
    settings = make_settings(
        revenue_accounts={(g, z): 1000 for g in ("1", "2", "3") for z in (D, EU, ABROAD)},
        units={str(u): DineroUnit.PARTS for u in records["units"]},
    )
    assert {c["address_country"] for c in records["customers"].values()} >= {"Norge", "Danmark"}
    for invoice in records["customer_invoices"].values():
        assert "total_vat" not in invoice and "invoice_date" not in invoice
        assert all("unit_id" not in line for line in invoice["lines"])
        customer = records["customers"][invoice["customer_id"]]
        body = sales_invoice(invoice, customer, settings=settings, products=records["products"])
        validation.validate_request("POST", "/v1/{organizationId}/invoices", body)
        totals = expected_invoice_totals(invoice)
        assert totals.excl_vat == Decimal(str(invoice["total_subtotal"]))
        assert totals.incl_vat == Decimal(str(invoice["total_total"]))
        contact = contact_payload(
            customer, include_number=True, guid=CONTACT_GUID, external_reference="r"
        )
        assert contact["CountryKey"] == codes[customer["number"]]
        assert goods_consumption_cost(invoice, records["products"]) >= 0
