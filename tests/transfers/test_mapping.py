"""Pure mapping from Rackbeat records to Dinero request bodies: no HTTP, database or Redis."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.errors import MissingMapping
from rackdinero_app.transfers.errors import NothingToTransfer
from rackdinero_app.transfers.errors import TotalsMismatch
from rackdinero_app.transfers.mapping import InvoiceTotals
from rackdinero_app.transfers.mapping import contact_name
from rackdinero_app.transfers.mapping import contact_payload
from rackdinero_app.transfers.mapping import contact_update_payload
from rackdinero_app.transfers.mapping import credit_note_payload
from rackdinero_app.transfers.mapping import dinero_unit_for
from rackdinero_app.transfers.mapping import expected_credit_note_totals
from rackdinero_app.transfers.mapping import expected_invoice_totals
from rackdinero_app.transfers.mapping import goods_consumption_payload
from rackdinero_app.transfers.mapping import invoice_language_for
from rackdinero_app.transfers.mapping import invoice_payload
from rackdinero_app.transfers.mapping import is_credit_note
from rackdinero_app.transfers.mapping import product_payload
from rackdinero_app.transfers.mapping import purchase_account_for
from rackdinero_app.transfers.mapping import purchase_voucher_payload
from rackdinero_app.transfers.mapping import revenue_account_for
from rackdinero_app.transfers.mapping import totals_match
from rackdinero_app.transfers.mapping import vat_zone_of
from sandbox import rackbeat as rackbeat_sandbox
from sandbox.dinero import rules
from sandbox.dinero import spec
from sandbox.dinero import validation

D, EU, ABROAD = VatZone.DOMESTIC, VatZone.EU, VatZone.ABROAD
GROUP_NAMES = {"1": "Finished goods", "2": "Services", "3": "Raw materials"}
UNIT_NAMES = {"1": "stk", "2": "pcs", "3": "kg", "4": "timer", "5": "kasse"}
LAYOUT_NAMES = {"1": "Standard (dansk)", "2": "Standard (English)", "3": "Tysk"}
CONTACT_GUID = "c0000000-0000-4000-8000-000000000001"
INVOICE_GUID = "3a315ad3-ddcc-419d-9fc5-219280ae4816"


# --- builders ------------------------------------------------------------------------------


def fix_texts(error: MissingMapping) -> list[str]:
    """The English text of each fix the error names."""
    return [fix.text for fix in error.fixes]


def make_settings(**overrides: Any) -> SettingsSnapshot:
    """Every group of the seed mapped for sales and purchases, except group 3 for sales."""
    values: dict[str, Any] = {
        "revenue_accounts": {
            ("1", D): 1000,
            ("1", EU): 1100,
            ("1", ABROAD): 1200,
            ("2", D): 1300,
            ("2", EU): 1310,
            ("2", ABROAD): 1310,
        },
        "purchase_accounts": {
            (group, zone): account
            for group in ("1", "2", "3")
            for zone, account in ((D, 2000), (EU, 2050), (ABROAD, 2150))
        },
        "units": {"1": DineroUnit.PARTS, "2": DineroUnit.PARTS, "4": DineroUnit.HOURS},
        "layout_languages": {"1": DineroLanguage.DANISH, "2": DineroLanguage.ENGLISH},
        "goods_consumption_enabled": True,
        "goods_consumption_account": 2100,
        "inventory_account": 5800,
    }
    values.update(overrides)
    return SettingsSnapshot(**values)


def make_contact(**overrides: Any) -> dict[str, Any]:
    return {
        "number": 1001,
        "company_name": "Nordisk Cykel A/S",
        "contact_email": "bogholderi@nordiskcykel.dk",
        "company_vat": "DK11223344",
        "address_street": "Byggevej 4",
        "address_street2": None,
        "address_city": "Aarhus C",
        "address_zipcode": "8000",
        "address_country": "DK",
        "contact_phone": "",
        "ean": None,
        "attention": None,
        "currency": "DKK",
        "vat_zone": "domestic",
        "layout_id": 1,
        **overrides,
    }


def make_product(number: str, group: int, unit: int, **overrides: Any) -> dict[str, Any]:
    return {
        "number": number,
        "name": f"Product {number}",
        "group": group,
        "unit": unit,
        "sales_price": 100.0,
        "recommended_cost_price": 40.0,
        "cost_price": 38.8,
        "physical": group != 2,
        **overrides,
    }


PRODUCTS = {
    "100": make_product("100", 1, 1, name="Egetræsbord", sales_price=4995.0, cost_price=2328.0),
    "200": make_product("200", 2, 4, name="Montering", sales_price=650.0, cost_price=0.0),
    "201": make_product("201", 2, 1, name="Fragt", cost_price=242.5),
    "300": make_product("300", 3, 3, name="Egetræ, planker", cost_price=41.23),
    "301": make_product("301", 3, 5, name="Skruer 4x40", cost_price=53.35),
}


def make_line(child_id: str, quantity: float, price: float, **overrides: Any) -> dict[str, Any]:
    product = PRODUCTS.get(child_id, {})
    return {
        "child_id": child_id,
        "child_type": "product",
        "name": product.get("name", child_id),
        "quantity": quantity,
        "line_price": price,
        "discount_percentage": 0.0,
        "unit_id": product.get("unit", 1),
        "cost_price": product.get("cost_price"),
        **overrides,
    }


def make_invoice(lines: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    subtotal = sum(
        round(x["quantity"] * x["line_price"] * (1 - x["discount_percentage"] / 100), 2)
        for x in lines
    )
    return {
        "number": 1001,
        "customer_id": 1001,
        "customer": {"number": 1001, "company_name": "Nordisk Cykel A/S"},
        "currency": "DKK",
        "currency_rate": 1.0,
        "heading": None,
        "note": None,
        "invoice_date": "2026-03-02",
        "due_date": "2026-03-10",
        "is_booked": True,
        "booked_at": "2026-03-02T09:15:00+00:00",
        "layout_id": 1,
        "lines": lines,
        "total_subtotal": round(subtotal, 2),
        "total_vat": round(subtotal * 0.25, 2),
        **overrides,
    }


def two_group_invoice(**overrides: Any) -> dict[str, Any]:
    return make_invoice([make_line("100", 2, 4995.0), make_line("200", 3, 650.0)], **overrides)


def sales_invoice(invoice: dict[str, Any], customer: dict[str, Any] | None = None, **kw: Any):
    options: dict[str, Any] = {
        "contact_guid": CONTACT_GUID,
        "guid": INVOICE_GUID,
        "external_reference": "rackbeat:12345:customer_invoice:1001",
        "products": PRODUCTS,
        "group_names": GROUP_NAMES,
        "unit_names": UNIT_NAMES,
        "layout_names": LAYOUT_NAMES,
    }
    settings = kw.pop("settings", None) or make_settings()
    options.update(kw)
    return invoice_payload(invoice, customer or make_contact(), settings, **options)


def supplier_voucher(invoice: dict[str, Any], zone: str, **kw: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "contact_guid": CONTACT_GUID,
        "external_reference": "rackbeat:12345:supplier_invoice:5001",
        "products": PRODUCTS,
        "group_names": GROUP_NAMES,
    }
    settings = kw.pop("settings", None) or make_settings()
    options.update(kw)
    supplier = make_contact(number=7, company_name="Dansk Træ A/S", vat_zone=zone)
    return purchase_voucher_payload(invoice, supplier, settings, **options)


# --- the article's examples ----------------------------------------------------------------


@pytest.mark.parametrize(("zone", "account"), [("domestic", 2000), ("eu", 2050), ("abroad", 2150)])
def test_supplier_invoice_for_finished_goods_books_to_the_zones_account(zone, account):
    invoice = make_invoice([make_line("100", 1, 2400.0)], number=5001)

    body = supplier_voucher(invoice, zone)

    assert [line["AccountNumber"] for line in body["Lines"]] == [account]


def test_domestic_invoice_with_two_product_groups_books_its_lines_to_1000_and_1300():
    body = sales_invoice(two_group_invoice())

    assert [line["AccountNumber"] for line in body["ProductLines"]] == [1000, 1300]


def test_the_customers_vat_zone_picks_the_revenue_account_of_every_line():
    body = sales_invoice(two_group_invoice(), make_contact(vat_zone="eu", address_country="DE"))

    assert [line["AccountNumber"] for line in body["ProductLines"]] == [1100, 1310]


# --- VAT zones and matrices ----------------------------------------------------------------


def test_vat_zone_of_reads_rackbeats_zone_and_refuses_an_unknown_one():
    assert vat_zone_of({"vat_zone": "EU"}) is VatZone.EU

    with pytest.raises(InvalidSourceRecord) as raised:
        vat_zone_of(make_contact(vat_zone="moon"))

    assert raised.value.reason_code == "invalid_record"
    assert "'moon'" in raised.value.message and "Nordisk Cykel A/S" in raised.value.message


def test_revenue_account_missing_names_the_group_the_zone_and_the_settings_page():
    with pytest.raises(MissingMapping) as raised:
        revenue_account_for(make_settings(revenue_accounts={}), 1, EU, GROUP_NAMES)

    assert raised.value.reason_code == "missing_mapping"
    assert fix_texts(raised.value) == [
        'Map product group "Finished goods" (1) for the EU zone in Settings > Sales and '
        "customers > Revenue accounts."
    ]


def test_purchase_account_missing_without_names_still_names_the_group_number():
    with pytest.raises(MissingMapping) as raised:
        purchase_account_for(make_settings(purchase_accounts={}), 3, ABROAD)

    assert fix_texts(raised.value) == [
        "Map product group 3 for the Abroad zone in Settings > Purchase and suppliers > "
        "Accounts for supplier invoices."
    ]


# --- names (C2, P3) and contacts -----------------------------------------------------------


def test_contact_name_includes_the_number_with_an_en_dash_only_when_asked():
    assert contact_name(make_contact(), include_number=True) == "1001 – Nordisk Cykel A/S"
    assert contact_name(make_contact(), include_number=False) == "Nordisk Cykel A/S"


def test_a_contact_without_a_name_is_refused():
    with pytest.raises(InvalidSourceRecord):
        contact_name(make_contact(company_name="  "), include_number=True)


def test_contact_payload_carries_identity_address_and_plain_company_flags():
    body = contact_payload(
        make_contact(), include_number=True, guid=CONTACT_GUID, external_reference="ref-1"
    )

    assert body["ContactGuid"] == CONTACT_GUID
    assert body["ExternalReference"] == "ref-1"
    assert body["Name"] == "1001 – Nordisk Cykel A/S"
    assert (body["Street"], body["ZipCode"], body["City"]) == ("Byggevej 4", "8000", "Aarhus C")
    assert body["CountryKey"] == "DK"
    assert body["Email"] == "bogholderi@nordiskcykel.dk"
    assert body["Phone"] is None  # Rackbeat's blank string is not sent as ""
    assert body["VatNumber"] == "11223344"  # a Danish CVR without its DK prefix
    assert (body["IsPerson"], body["IsMember"], body["UseCvr"]) == (False, False, False)


def test_a_foreign_vat_number_keeps_its_country_prefix():
    german = make_contact(company_vat="DE123456789", address_country="de", vat_zone="eu")

    body = contact_payload(german, include_number=False, guid=CONTACT_GUID, external_reference="r")

    assert (body["VatNumber"], body["CountryKey"]) == ("DE123456789", "DE")


def test_contact_update_payload_has_no_guid_and_the_same_fields():
    update = contact_update_payload(make_contact(), include_number=False, external_reference="r")
    create = contact_payload(
        make_contact(), include_number=False, guid=CONTACT_GUID, external_reference="r"
    )

    assert "ContactGuid" not in update
    assert update == {k: v for k, v in create.items() if k != "ContactGuid"}


def test_a_contact_without_a_country_is_refused():
    with pytest.raises(InvalidSourceRecord):
        contact_payload(
            make_contact(address_country=None),
            include_number=True,
            guid=CONTACT_GUID,
            external_reference="r",
        )


# --- units (C7) and languages (C8) ---------------------------------------------------------


def test_units_map_to_the_chosen_dinero_unit_and_a_missing_one_names_the_unit():
    assert dinero_unit_for(make_settings(), 4) is DineroUnit.HOURS

    with pytest.raises(MissingMapping) as raised:
        dinero_unit_for(make_settings(), 5, UNIT_NAMES)

    assert fix_texts(raised.value) == [
        'Map the Rackbeat unit "kasse" (5) to a Dinero unit in Settings > Units and '
        "languages > Units."
    ]


def test_invoice_lines_use_the_lines_own_unit_mapped_to_dinero():
    invoice = make_invoice([make_line("100", 1, 10.0, unit_id=4), make_line("201", 1, 10.0)])

    body = sales_invoice(invoice)

    assert [line["Unit"] for line in body["ProductLines"]] == ["hours", "parts"]


def test_layout_language_is_mapped_and_danish_without_a_layout():
    settings = make_settings()

    assert invoice_language_for(settings, 2) is DineroLanguage.ENGLISH
    assert invoice_language_for(settings, None) is DineroLanguage.DANISH
    with pytest.raises(MissingMapping) as raised:
        invoice_language_for(settings, 3, LAYOUT_NAMES)
    assert fix_texts(raised.value) == [
        'Choose the Dinero invoice language for the layout "Tysk" (3) in Settings > '
        "Units and languages > Layouts and invoice language."
    ]


def test_an_english_layout_gives_an_english_invoice_with_an_english_title():
    body = sales_invoice(two_group_invoice(layout_id=2))

    assert body["Language"] == "en-GB"
    assert body["Description"] == "Invoice 1001"


def test_invoice_header_carries_identity_currency_dates_and_payment_days():
    body = sales_invoice(two_group_invoice(currency="eur", note="Leveres fredag"))

    assert (body["Guid"], body["ContactGuid"]) == (INVOICE_GUID, CONTACT_GUID)
    assert body["ExternalReference"] == "rackbeat:12345:customer_invoice:1001"
    assert (body["Currency"], body["Language"], body["Date"]) == ("EUR", "da-DK", "2026-03-02")
    assert (body["Description"], body["Comment"]) == ("Faktura 1001", "Leveres fredag")
    assert (body["PaymentConditionType"], body["PaymentConditionNumberOfDays"]) == ("Netto", 8)


# --- missing mappings are reported together ------------------------------------------------


def test_every_missing_mapping_of_an_invoice_is_reported_in_one_error():
    invoice = make_invoice(
        [
            make_line("100", 1, 10.0),
            make_line("301", 1, 10.0),  # group 3 unmapped for sales, unit "kasse" unmapped
            make_line("300", 1, 10.0, unit_id=5),  # the same two fixes again: listed once
        ],
        layout_id=3,
    )

    with pytest.raises(MissingMapping) as raised:
        sales_invoice(invoice)

    assert fix_texts(raised.value) == [
        'Choose the Dinero invoice language for the layout "Tysk" (3) in Settings > '
        "Units and languages > Layouts and invoice language.",
        'Map product group "Raw materials" (3) for the Domestic zone in Settings > Sales '
        "and customers > Revenue accounts.",
        'Map the Rackbeat unit "kasse" (5) to a Dinero unit in Settings > Units and '
        "languages > Units.",
    ]
    assert all(fix in raised.value.message for fix in fix_texts(raised.value))


def test_product_payload_reports_a_missing_account_and_unit_together():
    with pytest.raises(MissingMapping) as raised:
        product_payload(
            PRODUCTS["301"],
            make_settings(),
            external_reference="r",
            group_names=GROUP_NAMES,
            unit_names=UNIT_NAMES,
        )

    assert len(fix_texts(raised.value)) == 2
    assert '"Raw materials" (3)' in fix_texts(raised.value)[0]
    assert '"kasse" (5)' in fix_texts(raised.value)[1]


def test_a_line_whose_product_is_unknown_is_an_invalid_record():
    invoice = make_invoice([make_line("999", 1, 10.0)])

    with pytest.raises(InvalidSourceRecord) as raised:
        sales_invoice(invoice)

    assert "product 999" in raised.value.message


# --- lines and money -----------------------------------------------------------------------


def test_line_amounts_are_decimal_exact_and_rounded_only_in_the_body():
    invoice = make_invoice([make_line("100", 3, 33.333, discount_percentage=10)])

    line = sales_invoice(invoice)["ProductLines"][0]
    totals = expected_invoice_totals(invoice)

    assert (line["Quantity"], line["BaseAmountValue"], line["Discount"]) == (3.0, 33.33, 10.0)
    assert line["LineType"] == "Product"
    assert totals.excl_vat == Decimal("90.00")  # 3 × 33.333 × 0.9 = 89.9991
    # 1.005 as a binary float is 1.00499…; read via str it is 1.005 and rounds half up
    half_cent = make_invoice([make_line("100", 1, 1.005)])
    assert expected_invoice_totals(half_cent).excl_vat == Decimal("1.01")
    assert sales_invoice(half_cent)["ProductLines"][0]["BaseAmountValue"] == 1.01


def test_a_line_with_a_known_dinero_product_links_it_and_keeps_a_renamed_text_as_comment():
    invoice = make_invoice(
        [make_line("100", 1, 10.0), make_line("201", 1, 10.0, name="Fragt til Aarhus")]
    )
    guids = {
        "100": "d0000000-0000-4000-8000-000000000100",
        "201": "d0000000-0000-4000-8000-000000000201",
    }

    first, second = sales_invoice(invoice, product_guids=guids)["ProductLines"]

    assert (first["ProductGuid"], first["Description"], first["Comments"]) == (
        guids["100"],
        None,
        None,
    )
    assert (second["Description"], second["Comments"]) == (None, "Fragt til Aarhus")


def test_without_a_dinero_product_the_line_text_is_the_description():
    line = sales_invoice(two_group_invoice())["ProductLines"][0]

    assert (line["ProductGuid"], line["Description"]) == (None, "Egetræsbord")


# --- totals --------------------------------------------------------------------------------


def test_expected_totals_come_from_the_lines_and_rackbeats_vat():
    totals = expected_invoice_totals(two_group_invoice())

    assert totals == InvoiceTotals(
        Decimal("11940.00"), Decimal("2985.00"), Decimal("14925.00"), line_count=2
    )


def test_totals_match_reads_dinero_keys_in_any_case_and_allows_rounding():
    expected = InvoiceTotals(Decimal("90.00"), Decimal("22.50"), Decimal("112.50"))

    rounded_by_dinero = {"TotalExclVat": 89.99, "TotalVat": 22.5, "TotalInclVat": 112.49}
    lower_camel = {"totalExclVat": 90, "totalVat": 22.5, "totalInclVat": 112.5}

    assert totals_match(expected, rounded_by_dinero) is None
    assert totals_match(expected, lower_camel) is None
    assert totals_match(expected, {**lower_camel, "totalVat": 22.53}) is not None


def test_totals_mismatch_shows_both_figures():
    expected = InvoiceTotals(Decimal("11940.00"), Decimal("2985.00"), Decimal("14925.00"), 2)

    error = totals_match(
        expected, {"TotalExclVat": 11940.0, "TotalVat": 2497.5, "TotalInclVat": 14437.5}
    )

    assert isinstance(error, TotalsMismatch)
    assert error.reason_code == "totals_mismatch"
    assert "VAT: Rackbeat 2985.00, Dinero 2497.50" in error.message
    assert "incl. VAT: Rackbeat 14925.00, Dinero 14437.50" in error.message
    assert "excl. VAT" not in error.message


# --- credit notes --------------------------------------------------------------------------


def test_a_credit_note_gets_positive_quantities_and_names_the_credited_invoice():
    credit = make_invoice([make_line("100", -2, 4995.0), make_line("200", -1, 650.0)], number=1007)
    original = "e0000000-0000-4000-8000-000000001001"

    body = credit_note_payload(
        credit,
        make_contact(),
        make_settings(),
        contact_guid=CONTACT_GUID,
        credit_note_for=original,
        guid=INVOICE_GUID,
        external_reference="rackbeat:12345:credit_note:1007",
        products=PRODUCTS,
    )

    assert is_credit_note(credit)
    assert body["CreditNoteFor"] == original
    assert [line["Quantity"] for line in body["ProductLines"]] == [2.0, 1.0]
    assert [line["AccountNumber"] for line in body["ProductLines"]] == [1000, 1300]
    assert body["Description"] == "Kreditnota 1007"
    assert expected_credit_note_totals(credit).excl_vat == Decimal("10640.00")


def test_invoices_and_credit_notes_are_not_mixed_up():
    credit = make_invoice([make_line("100", -1, 10.0)])

    with pytest.raises(InvalidSourceRecord):
        sales_invoice(credit)
    with pytest.raises(InvalidSourceRecord):
        credit_note_payload(
            two_group_invoice(),
            make_contact(),
            make_settings(),
            contact_guid=CONTACT_GUID,
            credit_note_for=None,
            guid=INVOICE_GUID,
            external_reference="r",
            products=PRODUCTS,
        )


# --- supplier invoices (P4) ----------------------------------------------------------------


def test_a_domestic_supplier_invoice_line_amount_includes_danish_vat():
    invoice = make_invoice(
        [make_line("300", 120, 41.23), make_line("301", 10, 53.35, discount_percentage=5)],
        number=5001,
        currency="DKK",
    )

    body = supplier_voucher(invoice, "domestic")

    assert body["PurchaseType"] == "credit"
    assert body["ContactGuid"] == CONTACT_GUID
    assert (body["VoucherDate"], body["PaymentDate"], body["CurrencyKey"]) == (
        "2026-03-02",
        "2026-03-10",
        "DKK",
    )
    # 120 × 41.23 = 4947.60 → 6184.50; 10 × 53.35 × 0.95 = 506.825 → 506.83 → 633.54 (half up)
    assert [line["Amount"] for line in body["Lines"]] == [6184.5, 633.54]
    assert [line["Description"] for line in body["Lines"]] == ["Egetræ, planker", "Skruer 4x40"]
    assert {line["VatCode"] for line in body["Lines"]} == {None}


def test_an_eu_supplier_invoice_line_amount_has_no_vat_and_pays_on_the_voucher_date():
    invoice = make_invoice([make_line("300", 200, 5.5)], number=5002, currency="EUR", due_date=None)

    body = supplier_voucher(invoice, "eu")

    assert [line["Amount"] for line in body["Lines"]] == [1100.0]
    assert (body["PaymentDate"], body["CurrencyKey"]) == ("2026-03-02", "EUR")


def test_supplier_invoice_reports_every_missing_purchase_account():
    invoice = make_invoice([make_line("100", 1, 10.0), make_line("300", 1, 10.0)], number=5001)

    with pytest.raises(MissingMapping) as raised:
        supplier_voucher(invoice, "eu", settings=make_settings(purchase_accounts={}))

    assert [fix.split(" for ")[0] for fix in fix_texts(raised.value)] == [
        'Map product group "Finished goods" (1)',
        'Map product group "Raw materials" (3)',
    ]


# --- goods consumption (C3) ----------------------------------------------------------------


def gc_payload(invoice: dict[str, Any], settings: SettingsSnapshot | None = None, **kw: Any):
    return goods_consumption_payload(
        invoice,
        PRODUCTS,
        settings or make_settings(),
        external_reference="rackbeat:12345:goods_consumption:1001",
        **kw,
    )


def test_goods_consumption_moves_cost_times_quantity_from_inventory_to_consumption():
    invoice = make_invoice(
        [
            make_line("100", 2, 4995.0),  # line cost 2328.00
            make_line("300", 3, 85.0, cost_price=None),  # product cost 41.23
            make_line("201", 1, 395.0),  # freight: no inventory, left out
        ]
    )

    body = gc_payload(invoice)

    assert body["VoucherDate"] == "2026-03-02"
    assert body["ExternalReference"] == "rackbeat:12345:goods_consumption:1001"
    assert body["Lines"] == [
        {
            "Description": "Vareforbrug, Rackbeat invoice 1001",
            "AccountNumber": 2100,
            "BalancingAccountNumber": 5800,
            "Amount": 4779.69,  # 2 × 2328 + 3 × 41.23
            "AccountVatCode": "none",
            "BalancingAccountVatCode": "none",
        }
    ]


def test_goods_consumption_falls_back_to_the_recommended_cost_price():
    products = {"9": make_product("9", 1, 1, cost_price=None, recommended_cost_price=12.5)}
    invoice = make_invoice([make_line("9", 4, 20.0, cost_price=None)])

    body = goods_consumption_payload(invoice, products, make_settings(), external_reference="r")

    assert body["Lines"][0]["Amount"] == 50.0


def test_goods_consumption_of_a_credit_note_returns_the_goods_to_stock():
    body = gc_payload(make_invoice([make_line("100", -1, 4995.0)], number=1007), voucher_date=None)

    line = body["Lines"][0]
    assert (line["AccountNumber"], line["BalancingAccountNumber"]) == (5800, 2100)
    assert line["Amount"] == 2328.0
    assert line["Description"] == "Vareforbrug, Rackbeat credit note 1007"


def test_goods_consumption_without_accounts_names_both_fixes():
    settings = make_settings(goods_consumption_account=None, inventory_account=None)

    with pytest.raises(MissingMapping) as raised:
        gc_payload(make_invoice([make_line("100", 1, 10.0)]), settings)

    assert fix_texts(raised.value) == [
        "Choose the goods-consumption account in Settings > Sales and customers > Goods "
        "consumption.",
        "Choose the inventory account in Settings > Sales and customers > Goods consumption.",
    ]


def test_goods_consumption_with_nothing_to_book_or_switched_off_is_skipped():
    services_only = make_invoice([make_line("200", 3, 650.0)])

    with pytest.raises(NothingToTransfer) as raised:
        gc_payload(services_only)
    assert raised.value.reason_code == "nothing_to_transfer"
    with pytest.raises(NothingToTransfer):
        gc_payload(two_group_invoice(), make_settings(goods_consumption_enabled=False))


# --- products ------------------------------------------------------------------------------


def test_product_payload_uses_the_domestic_revenue_account_and_the_mapped_unit():
    body = product_payload(PRODUCTS["100"], make_settings(), external_reference="rb-product-100")

    assert body == {
        "ProductNumber": "100",
        "Name": "Egetræsbord",
        "BaseAmountValue": 4995.0,
        "Quantity": 1.0,
        "AccountNumber": 1000,
        "Unit": "parts",
        "ExternalReference": "rb-product-100",
    }


# --- every body matches Dinero's request schema --------------------------------------------


def every_payload() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, OpenAPI path, body) for each body the mapping builds."""
    settings = make_settings()
    customer = make_contact()
    guids = {"100": "d0000000-0000-4000-8000-000000000100"}
    invoice = two_group_invoice(layout_id=2, heading="Ordre 77", note="Tak for handlen")
    credit = make_invoice([make_line("100", -1, 4995.0)], number=1007)
    supplier_invoice = make_invoice([make_line("300", 120, 41.23)], number=5001)
    contact = {"include_number": True, "external_reference": "rackbeat:1:customer:1001"}
    return [
        (
            "POST",
            "/v1/{organizationId}/contacts",
            contact_payload(customer, guid=CONTACT_GUID, **contact),
        ),
        (
            "PUT",
            "/v2/{organizationId}/contacts/{guid}",
            contact_update_payload(customer, **contact),
        ),
        (
            "POST",
            "/v1/{organizationId}/products",
            product_payload(PRODUCTS["100"], settings, external_reference="r"),
        ),
        (
            "PUT",
            "/v1/{organizationId}/products/{guid}",
            product_payload(PRODUCTS["200"], settings, external_reference="r"),
        ),
        ("POST", "/v1/{organizationId}/invoices", sales_invoice(invoice)),
        ("POST", "/v1/{organizationId}/invoices", sales_invoice(invoice, product_guids=guids)),
        (
            "POST",
            "/v1/{organizationId}/sales/creditnotes",
            credit_note_payload(
                credit,
                customer,
                settings,
                contact_guid=CONTACT_GUID,
                credit_note_for=INVOICE_GUID,
                guid="3a315ad3-ddcc-419d-9fc5-219280ae4817",
                external_reference="r",
                products=PRODUCTS,
            ),
        ),
        (
            "POST",
            "/v1.2/{organizationId}/vouchers/purchase",
            supplier_voucher(supplier_invoice, "domestic"),
        ),
        ("POST", "/v1/{organizationId}/vouchers/manuel", gc_payload(two_group_invoice())),
    ]


PAYLOADS = every_payload()


@pytest.mark.parametrize(
    ("method", "path", "body"), PAYLOADS, ids=[f"{m} {p}" for m, p, _ in PAYLOADS]
)
def test_every_payload_validates_against_the_dinero_request_schema(method, path, body):
    schema = spec.operation(method, path).request_schema  # KeyError: no such operation
    assert schema and schema.get("properties"), f"no request schema for {method} {path}"

    assert json.loads(json.dumps(body)) == body  # plain JSON: no Decimal, no enum objects
    try:
        validation.validate_request(method, path, body)
    except validation.ValidationFailed as failed:
        pytest.fail(f"{method} {path}: {failed.validation_errors}")
    for line in body.get("ProductLines", []):
        assert line["Unit"] in rules.UNITS
    if "Language" in body:
        assert body["Language"] in rules.LANGUAGES


def test_the_seeded_rackbeat_records_map_to_valid_bodies():
    """The sandbox's real record shapes, not only the builders here, go through the mapping."""
    records = rackbeat_sandbox.create_app().extensions["rackbeat_sandbox"].accounts[12345].records
    settings = make_settings(
        revenue_accounts={(g, z): 1000 for g in ("1", "2", "3") for z in (D, EU, ABROAD)},
        units={str(u): DineroUnit.PARTS for u in records["units"]},
    )
    products = records["products"]
    checked = 0
    for invoice in records["customer_invoices"].values():
        customer = records["customers"][invoice["customer_id"]]
        body = sales_invoice(invoice, customer, settings=settings, products=products)
        validation.validate_request("POST", "/v1/{organizationId}/invoices", body)
        total = Decimal(str(invoice["total_subtotal"]))
        assert expected_invoice_totals(invoice).excl_vat == total
        checked += 1
    for invoice in records["supplier_invoices"].values():
        supplier = records["suppliers"][invoice["supplier_id"]]
        body = supplier_voucher(invoice, supplier["vat_zone"], settings=settings, products=products)
        validation.validate_request("POST", "/v1.2/{organizationId}/vouchers/purchase", body)
        checked += 1
    assert checked == 10
