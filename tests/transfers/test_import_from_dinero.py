"""Importing one Dinero invoice or credit note into Rackbeat, run in the test process against
both sandboxes over loopback: booked once, with its customer and products, never back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import EntityLink
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import engine
from rackdinero_app.transfers import rows
from rackdinero_app.transfers.mapping.from_dinero import dinero_voucher_of
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import book_invoice
from tests.transfers import dinero_books as books

pytestmark = pytest.mark.redis


@pytest.fixture
def app_config(app_config):
    return {**app_config, **books.UNHURRIED}


@pytest.fixture
def from_dinero(change_settings):
    change_settings(invoice_direction=InvoiceDirection.DINERO_TO_RACKBEAT)


@pytest.fixture
def dinero(app, sandboxes):
    books.unhurried(sandboxes.dinero)
    return books.dinero(app)


@pytest.fixture
def import_now(connection):
    """Request the import of a Dinero voucher and run it until it has an outcome (a transient
    failure is tried again at once, as its scheduled retry would)."""

    def run(kind: EntityKind, guid: str, attempts: int = 1) -> Transfer:
        transfer, _ = rows.request_transfer(
            connection.id,
            kind,
            guid.lower(),
            trigger="test",
            direction=TransferDirection.DINERO_TO_RACKBEAT,
        )
        for _ in range(attempts):
            engine.run_transfer(transfer.id)
            db.session.expire_all()
            if db.session.get(Transfer, transfer.id).state != TransferState.PENDING:
                break
        return db.session.get(Transfer, transfer.id)

    return run


def imported(sandboxes) -> dict[str, list[dict]]:
    """Rackbeat's customer invoices by the Dinero voucher they were imported from."""
    found: dict[str, list[dict]] = {}
    for invoice in sandboxes.rackbeat_account.records["customer_invoices"].values():
        if (guid := dinero_voucher_of(invoice)) is not None:
            found.setdefault(guid, []).append(invoice)
    return found


def rackbeat_customers(sandboxes, email: str) -> list[dict]:
    customers = sandboxes.rackbeat_account.records["customers"].values()
    return [c for c in customers if c["contact_email"] == email]


def test_a_booked_dinero_invoice_becomes_one_booked_rackbeat_invoice(
    sandboxes, connection, from_dinero, dinero, import_now
):
    guid = books.booked_invoice(dinero, books.NORDISK, [books.product_line(books.HELMET, 2, 399.2)])

    transfer = import_now(EntityKind.CUSTOMER_INVOICE, guid)

    assert transfer.state == TransferState.SUCCEEDED, transfer.message
    (invoice,) = imported(sandboxes)[guid]
    assert transfer.message == f"Created in Rackbeat as booked invoice no. {invoice['number']}."
    assert invoice["is_booked"] is True
    assert [(line["child_id"], line["quantity"]) for line in invoice["lines"]] == [("HJ-100", 2)]
    (customer,) = rackbeat_customers(sandboxes, "indkob@nordiskcykel.dk")
    assert invoice["customer_id"] == customer["number"]
    assert sandboxes.rackbeat_account.records["products"]["HJ-100"]["group"] == 1
    links = {
        (link.kind, link.rackbeat_key, link.dinero_guid)
        for link in db.session.scalars(sa.select(EntityLink))
    }
    assert (EntityKind.CUSTOMER_INVOICE, str(invoice["number"]), guid) in links
    assert (EntityKind.CUSTOMER, str(customer["number"]), books.NORDISK) in links
    assert (EntityKind.PRODUCT, "HJ-100", books.HELMET) in links

    again, created = rows.request_transfer(
        connection.id,
        EntityKind.CUSTOMER_INVOICE,
        guid,
        trigger="hourly",
        direction=TransferDirection.DINERO_TO_RACKBEAT,
    )
    assert (again.id, created) == (transfer.id, False)


def test_an_answer_lost_after_rackbeat_committed_is_found_again_not_repeated(
    sandboxes, connection, from_dinero, dinero, import_now
):
    guid = books.booked_invoice(dinero, books.NORDISK, [books.product_line(books.HELMET, 1, 399.2)])
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    store.set_knobs({"fail_after_commit_rate": 1.0})  # every write is saved, every answer lost

    transfer = import_now(EntityKind.CUSTOMER_INVOICE, guid, attempts=6)

    assert transfer.state == TransferState.SUCCEEDED, transfer.message
    assert transfer.attempts == 4  # customer, product and invoice each answered 500 once
    assert len(imported(sandboxes)[guid]) == 1
    assert len(rackbeat_customers(sandboxes, "indkob@nordiskcykel.dk")) == 1


def test_a_customer_and_a_product_already_in_rackbeat_are_linked_not_created(
    sandboxes, connection, from_dinero, dinero, import_now
):
    jensen = books.contact(dinero, "Jensen & Co ApS", "faktura@jensen-co.dk")
    chair = books.product(dinero, "101", "Spisestol, eg", 1295.0)
    customers_before = len(sandboxes.rackbeat_account.records["customers"])
    products_before = len(sandboxes.rackbeat_account.records["products"])
    guid = books.booked_invoice(dinero, jensen, [books.product_line(chair, 4, 1295.0)])

    transfer = import_now(EntityKind.CUSTOMER_INVOICE, guid)

    assert transfer.state == TransferState.SUCCEEDED, transfer.message
    (invoice,) = imported(sandboxes)[guid]
    assert invoice["customer_id"] == 2  # faktura@jensen-co.dk in Rackbeat
    assert [line["child_id"] for line in invoice["lines"]] == ["101"]
    assert len(sandboxes.rackbeat_account.records["customers"]) == customers_before
    assert len(sandboxes.rackbeat_account.records["products"]) == products_before


def test_a_credit_note_waits_for_its_invoice_and_then_credits_it(
    sandboxes, connection, from_dinero, dinero, import_now
):
    invoice = books.booked_invoice(
        dinero, books.NORDISK, [books.product_line(books.HELMET, 3, 100)]
    )
    credit = books.booked_credit_note(dinero, invoice, [books.product_line(books.HELMET, 1, 100)])
    number = dinero.get_invoice(invoice)["Number"]

    alone = import_now(EntityKind.CREDIT_NOTE, credit)
    assert (alone.state, alone.reason_code) == (TransferState.FAILED, "invalid_record")
    assert f"credits Dinero invoice {number}, which is not in Rackbeat" in alone.message

    first = import_now(EntityKind.CUSTOMER_INVOICE, invoice)
    assert rows.send_again(alone.id)
    credited = import_now(EntityKind.CREDIT_NOTE, credit)

    assert credited.state == TransferState.SUCCEEDED, credited.message
    (rackbeat_invoice,) = imported(sandboxes)[invoice]
    (rackbeat_credit,) = imported(sandboxes)[credit]
    assert rackbeat_credit["credited_invoice_id"] == rackbeat_invoice["number"]
    assert [line["quantity"] for line in rackbeat_credit["lines"]] == [-1]
    assert first.state == TransferState.SUCCEEDED
    assert credited.message.endswith(f"for invoice {rackbeat_invoice['number']}.")


def test_a_credit_note_whose_invoice_is_still_being_imported_waits_for_it(
    sandboxes, connection, from_dinero, dinero, import_now
):
    invoice = books.booked_invoice(dinero, books.NORDISK)
    credit = books.booked_credit_note(dinero, invoice)
    rows.request_transfer(
        connection.id,
        EntityKind.CUSTOMER_INVOICE,
        invoice,
        trigger="hourly",
        direction=TransferDirection.DINERO_TO_RACKBEAT,
    )

    waiting = import_now(EntityKind.CREDIT_NOTE, credit)

    assert (waiting.state, waiting.reason_code) == (TransferState.PENDING, "waiting_for_invoice")
    assert "waits until Dinero invoice" in waiting.message
    assert credit not in imported(sandboxes)


def test_what_cannot_be_imported_fails_with_the_fix(
    sandboxes, connection, from_dinero, dinero, import_now
):
    no_email = books.booked_invoice(dinero, books.JENSEN)
    no_number = books.booked_invoice(
        dinero, books.NORDISK, [books.product_line(books.ASSEMBLY, 1, 480, account=1300)]
    )
    gadget = books.product(dinero, "GX-1", "Gadget", 10.0)
    no_group = books.booked_invoice(
        dinero, books.NORDISK, [books.product_line(gadget, 1, 10, account=4000)]
    )

    outcomes = {
        name: import_now(EntityKind.CUSTOMER_INVOICE, guid)
        for name, guid in (("email", no_email), ("number", no_number), ("group", no_group))
    }

    assert all(t.state == TransferState.FAILED for t in outcomes.values())
    assert "has no e-mail address" in outcomes["email"].message
    assert 'product "Montering" has no product number' in outcomes["number"].message
    assert outcomes["group"].reason_code == "missing_mapping"
    assert "no product group has revenue account 4000" in outcomes["group"].message
    assert imported(sandboxes) == {}


def test_a_draft_is_not_imported(sandboxes, connection, from_dinero, dinero, import_now):
    draft = books.draft_invoice(dinero)

    transfer = import_now(EntityKind.CUSTOMER_INVOICE, draft)

    assert (transfer.state, transfer.reason_code) == (TransferState.SKIPPED, "nothing_to_transfer")
    assert "is a draft" in transfer.message


def test_an_invoice_imported_from_dinero_is_never_sent_back_to_dinero(
    sandboxes, connection, from_dinero, change_settings, dinero, import_now, transfer_now
):
    guid = books.booked_invoice(dinero, books.NORDISK)
    import_now(EntityKind.CUSTOMER_INVOICE, guid)
    (invoice,) = imported(sandboxes)[guid]
    dinero_invoices = len(sandboxes.dinero_records("invoices"))
    change_settings(invoice_direction=InvoiceDirection.RACKBEAT_TO_DINERO)  # switched back

    by_link = transfer_now(EntityKind.CUSTOMER_INVOICE, str(invoice["number"]))
    db.session.execute(sa.delete(EntityLink).where(EntityLink.kind == EntityKind.CUSTOMER_INVOICE))
    db.session.execute(sa.delete(Transfer).where(Transfer.id == by_link.id))
    db.session.commit()
    by_note = transfer_now(EntityKind.CUSTOMER_INVOICE, str(invoice["number"]))

    for refused in (by_link, by_note):
        assert (refused.state, refused.reason_code) == (
            TransferState.SKIPPED,
            "imported_from_dinero",
        ), refused.message
        assert "was imported from Dinero" in refused.message
    assert len(sandboxes.dinero_records("invoices")) == dinero_invoices


def test_an_invoice_sent_from_rackbeat_is_not_imported_back(
    sandboxes, connection, change_settings, import_now, transfer_now
):
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        book_invoice(store, sandboxes.rackbeat_account, CUSTOMER_INVOICES, 1004, suppress=True)
    sent = transfer_now(EntityKind.CUSTOMER_INVOICE, "1004")
    assert sent.state == TransferState.SUCCEEDED, sent.message
    change_settings(invoice_direction=InvoiceDirection.DINERO_TO_RACKBEAT)
    invoices_before = len(sandboxes.rackbeat_account.records["customer_invoices"])

    back = import_now(EntityKind.CUSTOMER_INVOICE, sent.dinero_guid)

    assert (back.state, back.reason_code) == (TransferState.SKIPPED, "nothing_to_transfer")
    assert "was sent from Rackbeat" in back.message
    assert len(sandboxes.rackbeat_account.records["customer_invoices"]) == invoices_before
