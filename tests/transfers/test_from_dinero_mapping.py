"""The pure mapping of the import from Dinero: Dinero's read models → Rackbeat create bodies."""

from __future__ import annotations

import pytest

from rackdinero_app.models.enums import DineroUnit
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.mapping import from_dinero as mapping

GUID = "A1B2C3D4-0000-4000-8000-000000000009"
HELMET = "e0000000-0000-4000-8000-000000000001"
LOCK = "e0000000-0000-4000-8000-000000000002"
NUMBERS = {HELMET: "HJ-100", LOCK: "LK-200"}


def line(product, quantity, price, discount=0.0, **extra):
    return {
        "ProductGuid": product,
        "Description": "Cykelhjelm",
        "Quantity": quantity,
        "BaseAmountValue": price,
        "Discount": discount,
        "AccountNumber": 1000,
        "Unit": "parts",
        "LineType": "Product",
        **extra,
    }


def voucher(lines, total_excl_vat, **extra):
    return {
        "Guid": GUID,
        "Number": 12,
        "Status": "Booked",
        "Currency": "EUR",
        "Date": "2026-11-20",
        "Description": "Faktura",
        "TotalExclVat": total_excl_vat,
        "ProductLines": lines,
        **extra,
    }


def test_a_booked_dinero_invoice_becomes_a_booked_rackbeat_invoice_that_names_its_voucher():
    invoice = voucher([line(HELMET, 2, 399.2, 10.0), line(LOCK, 1, 159.2)], 877.76)

    body = mapping.customer_invoice_body(
        EntityKind.CUSTOMER_INVOICE, invoice, customer_number="7", product_numbers=NUMBERS
    )

    assert body == {
        "customer_id": 7,
        "currency": "EUR",
        "invoice_date": "2026-11-20",
        "heading": "Faktura",
        "note": f"Dinero 12 [dinero:{GUID.lower()}]",
        "book": True,
        "lines": [
            {
                "child_id": "HJ-100",
                "name": "Cykelhjelm",
                "quantity": 2.0,
                "line_price": 399.2,
                "discount_percentage": 10.0,
            },
            {
                "child_id": "LK-200",
                "name": "Cykelhjelm",
                "quantity": 1.0,
                "line_price": 159.2,
                "discount_percentage": 0.0,
            },
        ],
    }
    assert mapping.dinero_voucher_of(body) == GUID.lower()


def test_a_credit_note_turns_the_signs_and_names_the_invoice_it_credits():
    credit = voucher([line(HELMET, 1, 399.2)], 399.2)

    body = mapping.customer_invoice_body(
        EntityKind.CREDIT_NOTE,
        credit,
        customer_number="7",
        product_numbers=NUMBERS,
        credited_invoice="1008",
    )

    assert [item["quantity"] for item in body["lines"]] == [-1.0]
    assert body["credited_invoice_id"] == 1008


def test_text_lines_are_left_out_and_a_line_without_a_product_is_named():
    with_heading = voucher(
        [line(None, 0, 0, LineType="Text", Description="Levering uge 47"), line(HELMET, 1, 100)],
        100,
    )
    body = mapping.customer_invoice_body(
        EntityKind.CUSTOMER_INVOICE, with_heading, customer_number="7", product_numbers=NUMBERS
    )
    assert [item["child_id"] for item in body["lines"]] == ["HJ-100"]

    free_text = voucher([line(HELMET, 1, 100), line(None, 1, 50, Description="Fragt")], 150)
    with pytest.raises(InvalidSourceRecord) as error:
        mapping.customer_invoice_body(
            EntityKind.CUSTOMER_INVOICE, free_text, customer_number="7", product_numbers=NUMBERS
        )
    assert str(error.value).startswith('Dinero invoice 12: line 2 ("Fragt") has no product.')


def test_lines_that_do_not_add_up_to_dineros_total_stop_the_import():
    off = voucher([line(HELMET, 1, 100)], 125)

    with pytest.raises(InvalidSourceRecord) as error:
        mapping.customer_invoice_body(
            EntityKind.CUSTOMER_INVOICE, off, customer_number="7", product_numbers=NUMBERS
        )

    assert "add up to 100.00 excl. VAT, but Dinero's total is 125.00" in str(error.value)


def test_only_invoices_the_app_sent_from_this_rackbeat_account_came_from_rackbeat():
    assert mapping.came_from_rackbeat({"ExternalReference": "rackbeat:12345:invoice:1004"}, 12345)
    assert not mapping.came_from_rackbeat({"ExternalReference": "rackbeat:99:invoice:1"}, 12345)
    assert not mapping.came_from_rackbeat({"ExternalReference": None}, 12345)
    assert mapping.dinero_voucher_of({"note": "Leveret mandag"}) is None


@pytest.mark.parametrize(
    ("status", "booked"),
    [("Draft", False), ("Booked", True), ("Paid", True), ("OverPaid", True), ("Overdue", True)],
)
def test_every_booked_payment_status_counts_as_booked(status, booked):
    assert mapping.is_booked({"Status": status}) is booked


def test_a_dinero_contact_becomes_a_rackbeat_customer_in_its_vat_zone():
    contact = {
        "Name": "Berliner Fahrrad GmbH",
        "Email": "einkauf@berliner-fahrrad.de",
        "Street": "Radweg 1",
        "ZipCode": "10115",
        "City": "Berlin",
        "CountryKey": "DE",
        "VatNumber": "DE123456789",
        "Phone": None,
        "VatRegionKey": "EU",
        "PaymentConditionNumberOfDays": 14,
    }
    terms = [(1, 8), (2, 14), (3, 30)]

    assert mapping.customer_body(contact, terms) == {
        "company_name": "Berliner Fahrrad GmbH",
        "payment_terms_id": 2,  # the terms with Dinero's 14 days
        "contact_email": "einkauf@berliner-fahrrad.de",
        "address_street": "Radweg 1",
        "address_zipcode": "10115",
        "address_city": "Berlin",
        "address_country": "DE",
        "company_vat": "DE123456789",
        "vat_zone": "eu",
    }
    assert (
        mapping.customer_body({**contact, "PaymentConditionNumberOfDays": 21}, terms)[
            "payment_terms_id"
        ]
        == 1
    )  # no terms of 21 days: the account's first
    assert mapping.vat_zone_of_contact({"VatRegionKey": "World"}) == VatZone.ABROAD


def test_a_new_product_goes_into_the_group_whose_revenue_account_the_line_uses():
    settings = SettingsSnapshot(
        revenue_accounts={
            ("3", VatZone.DOMESTIC): 1000,
            ("1", VatZone.DOMESTIC): 1000,
            ("2", VatZone.DOMESTIC): 1300,
            ("2", VatZone.EU): 1310,
        },
        units={"4": DineroUnit.HOURS, "1": DineroUnit.PARTS, "2": DineroUnit.PARTS},
    )

    assert mapping.group_for_account(settings, 1000, VatZone.DOMESTIC) == "1"
    assert mapping.group_for_account(settings, 1310, VatZone.DOMESTIC) == "2"  # any zone
    assert mapping.group_for_account(settings, 9999, VatZone.DOMESTIC) is None
    assert mapping.rackbeat_unit_for(settings, "parts") == "1"
    assert mapping.rackbeat_unit_for(settings, "km") is None
    product = {"ProductNumber": "HJ-100", "Name": "Cykelhjelm", "BaseAmountValue": 399.2}
    assert mapping.product_body(product, group="1", unit="1") == {
        "number": "HJ-100",
        "name": "Cykelhjelm",
        "group": 1,
        "unit": 1,
        "sales_price": 399.2,
    }
