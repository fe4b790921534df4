"""The start sync's pure rules: who is eligible (S2), how a Rackbeat record matches, what to do,
the bodies Rackbeat gets, the counts and the cursor — no HTTP, database or Redis."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import SyncOutcome
from rackdinero_app.sync import progress
from rackdinero_app.sync.mapping import Choices
from rackdinero_app.sync.mapping import contact_body
from rackdinero_app.sync.mapping import product_body
from rackdinero_app.sync.reasons import TEMPLATES
from rackdinero_app.sync.report import safe_cell
from rackdinero_app.sync.rules import Candidate
from rackdinero_app.sync.rules import contact_items
from rackdinero_app.sync.rules import decide
from rackdinero_app.sync.rules import product_item
from rackdinero_app.sync.rules import same_key
from rackdinero_app.sync.sources import Position
from rackdinero_app.sync.translation import in_english
from rackdinero_app.sync.translation import render

GUID = "C0000000-0000-4000-8000-000000000001"


def contact(**fields):
    return {"ContactGuid": GUID, "Name": "Nordisk Cykel A/S", **fields}


# -- eligibility (S2) -------------------------------------------------------------------------


def test_a_customer_with_an_email_is_eligible_and_matched_by_it():
    (item,) = contact_items(contact(Email=" indkob@nordiskcykel.dk ", IsDebitor=True))
    assert (item.kind, item.key, item.skip) == (
        EntityKind.CUSTOMER,
        "indkob@nordiskcykel.dk",
        None,
    )
    assert item.guid == GUID.lower() and item.label == "Nordisk Cykel A/S"


def test_a_contact_that_is_customer_and_supplier_is_handled_in_both_roles():
    items = contact_items(contact(Email="a@b.dk", IsDebitor=True, IsCreditor=True))
    assert [item.kind for item in items] == [EntityKind.CUSTOMER, EntityKind.SUPPLIER]


@pytest.mark.parametrize("email", [None, "", "   "])
def test_a_contact_without_an_email_is_skipped_with_the_reason(email):
    (item,) = contact_items(contact(Email=email, IsCreditor=True))
    assert item.kind == EntityKind.SUPPLIER and item.key is None
    assert item.skip.code == "no_email"
    assert decide(item, []).outcome == SyncOutcome.SKIPPED


def test_a_contact_no_sale_or_purchase_names_is_skipped_rather_than_guessed():
    (item,) = contact_items(contact(Email="a@b.dk", IsDebitor=False, IsCreditor=False))
    assert item.skip.code == "contact_not_used"


def test_a_product_needs_a_product_number():
    with_number = product_item({"ProductGuid": "P1", "ProductNumber": " HJ-100", "Name": "Hjelm"})
    without = product_item({"ProductGuid": "P2", "ProductNumber": None, "Name": "Fragt"})
    assert (with_number.key, with_number.label) == ("HJ-100", "HJ-100 – Hjelm")
    assert without.key is None and without.skip.code == "no_product_number"
    assert without.label == "Fragt"


# -- matching ---------------------------------------------------------------------------------


def test_emails_match_without_regard_to_case_and_numbers_exactly():
    assert same_key(
        EntityKind.CUSTOMER, "Indkob@NordiskCykel.dk", {"contact_email": "indkob@nordiskcykel.dk"}
    )
    assert not same_key(EntityKind.CUSTOMER, "a@b.dk", {"contact_email": "a@b.dk.evil"})
    assert same_key(EntityKind.PRODUCT, "HJ-100", {"number": "HJ-100"})
    assert not same_key(EntityKind.PRODUCT, "HJ-100", {"number": "hj-100"})


def eligible_customer():
    (item,) = contact_items(contact(Email="a@b.dk", IsDebitor=True))
    return item


def test_no_match_means_create():
    decision = decide(eligible_customer(), [])
    assert decision.creates and decision.rackbeat_key is None


def test_a_free_match_is_linked_not_created_again():
    decision = decide(eligible_customer(), [Candidate("7", None)])
    assert (decision.outcome, decision.rackbeat_key) == (SyncOutcome.LINKED, "7")
    assert decision.reason.code == "matched_email"


def test_a_match_already_linked_to_this_record_counts_as_linked():
    item = eligible_customer()
    decision = decide(item, [Candidate("3", "another-guid"), Candidate("7", item.guid)])
    assert (decision.outcome, decision.rackbeat_key) == (SyncOutcome.LINKED, "7")
    assert decision.reason.code == "already_linked"


def test_the_first_free_match_wins_over_taken_ones():
    decision = decide(eligible_customer(), [Candidate("3", "other"), Candidate("9", None)])
    assert decision.rackbeat_key == "9"


def test_a_match_that_stands_for_another_dinero_record_is_skipped_with_the_reason():
    decision = decide(eligible_customer(), [Candidate("3", "other")])
    assert decision.outcome == SyncOutcome.SKIPPED
    assert (decision.reason.code, dict(decision.reason.params)) == (
        "email_taken",
        {"number": "3", "email": "a@b.dk"},
    )
    product = product_item({"ProductGuid": "P1", "ProductNumber": "HJ-100"})
    assert decide(product, [Candidate("HJ-100", "other")]).reason.code == "number_taken"


# -- bodies for Rackbeat ----------------------------------------------------------------------

CHOICES = Choices(
    groups=(1, 2, 3),
    group_by_account={1300: 2},
    unit_by_dinero_unit={"hours": 4},
    payment_terms=((1, 8), (2, 30)),
)


def test_a_contact_becomes_a_rackbeat_customer_body():
    body = contact_body(
        contact(
            Street="Cykelgade 4",
            ZipCode="8000",
            City="Aarhus C",
            CountryKey="DK",
            VatNumber="DK12345678",
            VatRegionKey="EU",
            PaymentConditionNumberOfDays=30,
            PreferredInvoiceCurrencyKey="EUR",
            Phone=None,
        ),
        "indkob@nordiskcykel.dk",
        CHOICES,
    )
    assert body == {
        "company_name": "Nordisk Cykel A/S",
        "contact_email": "indkob@nordiskcykel.dk",
        "address_street": "Cykelgade 4",
        "address_zipcode": "8000",
        "address_city": "Aarhus C",
        "address_country": "DK",
        "company_vat": "DK12345678",
        "vat_zone": "eu",
        "currency": "EUR",
        "payment_terms_id": 2,
    }


def test_payment_terms_fall_back_to_rackbeats_first_and_bad_codes_are_left_out():
    body = contact_body(
        contact(PaymentConditionNumberOfDays=14, CountryKey="Danmark", VatRegionKey=None),
        "a@b.dk",
        CHOICES,
    )
    assert body["payment_terms_id"] == 1
    assert "address_country" not in body and "vat_zone" not in body


def test_a_product_gets_the_group_of_its_revenue_account_and_the_mapped_unit():
    body = product_body(
        {"Name": "Montering", "AccountNumber": 1300, "Unit": "hours", "BaseAmountValue": 480.0},
        "MONT-1",
        CHOICES,
    )
    assert body == {
        "number": "MONT-1",
        "name": "Montering",
        "group": 2,
        "unit": 4,
        "sales_price": 480.0,
    }


def test_an_unmapped_account_takes_rackbeats_first_group_and_a_nameless_product_its_number():
    body = product_body({"Name": None, "AccountNumber": 1000, "Unit": "box"}, "X-1", CHOICES)
    assert body == {"number": "X-1", "name": "X-1", "group": 1}


# -- counts and the cursor --------------------------------------------------------------------


def test_a_runs_totals_come_from_the_preview_and_grow_with_late_records():
    preview = progress.empty_preview()
    item = eligible_customer()
    progress.add_to_preview(preview, "customer", decide(item, []))
    progress.add_to_preview(preview, "customer", decide(item, [Candidate("3", "other")]))
    assert preview["customer"] == {"created": 1, "linked": 0, "skipped": 1, "failed": 0}
    assert preview["reasons"]["customer"] == {"email_taken": 1}
    counts = progress.run_counts(preview)
    assert counts["customer"] == {
        "total": 2,
        "done": 0,
        "created": 0,
        "linked": 0,
        "skipped": 0,
        "failed": 0,
    }
    for outcome in ("created", "skipped", "created"):
        progress.add_to_run(counts, "customer", outcome)
    assert (counts["customer"]["done"], counts["customer"]["total"]) == (3, 3)
    assert progress.bars(counts)["product"] == {"done": 0, "total": 0}
    assert progress.checked(preview) == 2


def test_the_cursor_walks_contacts_then_products_page_by_page():
    start = Position.parse(None)
    assert str(start) == "contacts:0"
    assert str(start.after(last_page=False)) == "contacts:1"
    assert str(Position.parse("contacts:4").after(last_page=True)) == "products:0"
    assert Position.parse("products:2").after(last_page=True) is None
    with pytest.raises(ValueError):
        Position.parse("invoices:1")


def test_a_later_pass_keeps_when_it_began_and_the_passes_are_limited():
    began = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    second = Position.parse("products:3").next_pass(began)
    assert str(second) == f"contacts:0/p2@{int(began.timestamp())}"
    assert Position.parse(str(second)) == second
    assert str(second.after(last_page=True)) == f"products:0/p2@{int(began.timestamp())}"
    assert second.began_at(began.replace(hour=9)) == began
    assert Position.parse(None).began_at(began) == began  # the first pass: the run's start
    third = second.next_pass(began)
    assert third.pass_ == 3
    assert third.next_pass(began) is None


# -- reasons and the CSV ----------------------------------------------------------------------


def test_every_reason_reads_in_english_and_nests_a_client_error():
    assert in_english("email_taken", {"number": "3", "email": "a@b.dk"}).startswith(
        "Rackbeat no. 3"
    )
    nested = {
        "error": {"code": "client.server_error", "params": {"service": "Rackbeat", "status": 503}}
    }
    text = render("stopped", nested, translate=lambda template: template)
    assert text.startswith(
        "The start synchronisation stopped: Rackbeat had a temporary problem (HTTP 503)."
    )
    assert all(isinstance(template, str) for template in TEMPLATES.values())


@pytest.mark.parametrize("cell", ["=1+2", "+45 70 20", "-5", "@SUM(A1)", "\tx"])
def test_csv_cells_that_look_like_formulas_are_made_text(cell):
    assert safe_cell(cell) == "'" + cell


def test_ordinary_csv_cells_are_left_alone():
    assert safe_cell("Nordisk Cykel A/S") == "Nordisk Cykel A/S"
