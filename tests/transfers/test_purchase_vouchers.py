"""Supplier invoices become purchase vouchers carrying their document, found again by the
document's FileGuid; and every create Dinero answers "201, empty body" is resolved through the
identity the app gave it. Run in the test process against both sandboxes over loopback."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import requests

from rackdinero_app.extensions import db
from rackdinero_app.models import Transfer
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from rackdinero_app.transfers import engine
from rackdinero_app.transfers import rows
from sandbox.rackbeat.records.invoices import SUPPLIER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from tests.transfers.conftest import ACCOUNT_ID
from tests.transfers.conftest import ORGANIZATION_ID

pytestmark = pytest.mark.redis

READ_TIMEOUT = 0.5
REFERENCE = f"rackbeat:{ACCOUNT_ID}:{EntityKind.SUPPLIER_INVOICE}:"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "DINERO_READ_TIMEOUT": READ_TIMEOUT}


def set_knobs(sandboxes, **knobs: Any) -> None:
    response = requests.post(f"{sandboxes.dinero_url}/_sandbox/knobs", json=knobs, timeout=5)
    assert response.status_code == 200, response.text


def dinero_requests(sandboxes) -> Counter:
    sandbox = sandboxes.dinero.extensions["dinero_sandbox"]
    with sandbox.lock:
        return Counter(
            {
                (method, path): count
                for (org, method, path), count in sandbox.request_counts.items()
                if org == str(ORGANIZATION_ID)
            }
        )


def archived(sandboxes) -> dict[str, dict]:
    sandbox = sandboxes.dinero.extensions["dinero_sandbox"]
    with sandbox.lock:
        return dict(sandbox.organizations[ORGANIZATION_ID].files)


def book_supplier_invoice(sandboxes, lines=None, **fields: Any) -> str:
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    body = {"supplier_id": 1, "lines": lines or [{"child_id": "300", "quantity": 10}], **fields}
    with store.lock:
        record = create_invoice(
            store, sandboxes.rackbeat_account, SUPPLIER_INVOICES, body, book=True, suppress=True
        )
    return str(record["number"])


def post_supplier_invoice(sandboxes, app) -> str:
    """Create and book a supplier invoice through Rackbeat's API, as a user's integration
    would: such an invoice has no document in Rackbeat."""
    access, _ = sandboxes.issue_rackbeat_tokens(app.config["RACKBEAT_CLIENT_ID"])
    response = requests.post(
        f"{sandboxes.rackbeat_url}/api/supplier-invoices?book=true&suppress_webhooks=true",
        json={"supplier_id": 2, "lines": [{"child_id": "301", "quantity": 3}]},
        headers={"Authorization": f"Bearer {access}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["supplier_invoice"]["number"])


def run_until(transfer_id: int, done, attempts: int = 12) -> Transfer:
    """Run the transfer's attempts (as the engine's retries would) until ``done(row)``."""
    for _ in range(attempts):
        db.session.expire_all()
        transfer = db.session.get(Transfer, transfer_id)
        if done(transfer):
            return transfer
        engine.run_transfer(transfer_id)
    raise AssertionError(f"not done after {attempts} attempts: {transfer.message}")


def finished(transfer: Transfer) -> bool:
    return transfer.state in (TransferState.SUCCEEDED, TransferState.FAILED)


def ours(sandboxes) -> list[dict]:
    return [
        voucher
        for voucher in sandboxes.dinero_records("purchase_vouchers")
        if str(voucher.get("ExternalReference") or "").startswith(REFERENCE)
    ]


def test_a_supplier_invoice_is_booked_with_rackbeats_pdf_attached(
    sandboxes, connection, transfer_now
):
    transfer_now(EntityKind.SUPPLIER, "1")
    before = dinero_requests(sandboxes)

    transfer = transfer_now(EntityKind.SUPPLIER_INVOICE, "5001")

    assert transfer.state == TransferState.SUCCEEDED, transfer.message
    (voucher,) = ours(sandboxes)
    assert voucher["Guid"] == transfer.dinero_guid and voucher["Status"] == "Booked"
    assert voucher["FileGuid"] == transfer.dinero_file_guid
    document = archived(sandboxes)[transfer.dinero_file_guid]
    assert document["Name"] == f"rackbeat-{ACCOUNT_ID}-supplier_invoice-5001.pdf"
    rackbeat_pdf = requests.get(
        f"{sandboxes.rackbeat_url}/api/supplier-invoices/5001.pdf",
        headers={"Authorization": f"Bearer {connection.rackbeat_access_token}"},
        timeout=10,
    ).content
    assert document["_content"] == rackbeat_pdf
    # Upload, create, book: one request more than before the document was attached.
    spent = dinero_requests(sandboxes) - before
    assert spent == Counter(
        {
            ("POST", "/v1/{organizationId}/files"): 1,
            ("POST", "/v1.2/{organizationId}/vouchers/purchase"): 1,
            ("POST", "/v1/{organizationId}/vouchers/purchase/{guid}/book"): 1,
        }
    )


def test_without_a_rackbeat_document_the_app_attaches_one_it_made(
    app, sandboxes, connection, transfer_now
):
    number = post_supplier_invoice(sandboxes, app)

    transfer = transfer_now(EntityKind.SUPPLIER_INVOICE, number)

    assert transfer.state == TransferState.SUCCEEDED, transfer.message
    document = archived(sandboxes)[transfer.dinero_file_guid]
    assert document["_content"].startswith(b"%PDF") and document["Size"] > 500
    assert document["Name"] == f"rackbeat-{ACCOUNT_ID}-supplier_invoice-{number}.pdf"


def test_look_alike_supplier_invoices_whose_creates_time_out_each_get_their_own_voucher(
    sandboxes, connection, transfer_now
):
    """Same supplier, date and total, and every write answered after the read timeout:
    Dinero's ``similar`` would point both at one voucher; the file proves which is whose."""
    transfer_now(EntityKind.SUPPLIER, "1")
    first, second = (book_supplier_invoice(sandboxes, invoice_date="2026-11-02") for _ in "12")
    set_knobs(
        sandboxes, timeout_after_commit_rate=1.0, timeout_after_commit_seconds=READ_TIMEOUT * 3
    )
    a, _ = rows.request_transfer(connection.id, EntityKind.SUPPLIER_INVOICE, first, trigger="test")
    b, _ = rows.request_transfer(connection.id, EntityKind.SUPPLIER_INVOICE, second, trigger="test")
    a_id, b_id = a.id, b.id

    def created(number: str):
        return lambda _: any(v["ExternalReference"] == REFERENCE + number for v in ours(sandboxes))

    # Both creates committed with their answers lost, then each transfer tries again.
    run_until(a_id, created(first))
    run_until(b_id, created(second))
    b = run_until(b_id, finished)
    a = run_until(a_id, finished)

    assert (a.state, b.state) == (TransferState.SUCCEEDED, TransferState.SUCCEEDED), (
        a.message,
        b.message,
    )
    vouchers = {voucher["Guid"]: voucher for voucher in ours(sandboxes)}
    assert len(vouchers) == 2  # no extra voucher
    for transfer, number in ((a, first), (b, second)):
        voucher = vouchers[transfer.dinero_guid]
        assert voucher["ExternalReference"] == REFERENCE + number
        assert voucher["Status"] == "Booked"
        assert str(voucher["VoucherNumber"]) == transfer.dinero_number
        assert voucher["FileGuid"] == transfer.dinero_file_guid
    assert a.dinero_file_guid != b.dinero_file_guid
    assert len(archived(sandboxes)) == 2  # each document uploaded once


def test_an_upload_whose_answer_was_lost_is_found_by_its_name(sandboxes, connection, transfer_now):
    transfer_now(EntityKind.SUPPLIER, "1")
    set_knobs(
        sandboxes, timeout_after_commit_rate=1.0, timeout_after_commit_seconds=READ_TIMEOUT * 3
    )
    transfer, _ = rows.request_transfer(
        connection.id, EntityKind.SUPPLIER_INVOICE, "5001", trigger="test"
    )
    transfer_id = transfer.id
    engine.run_transfer(transfer_id)  # the upload is saved, its answer lost
    assert len(archived(sandboxes)) == 1
    set_knobs(sandboxes, timeout_after_commit_rate=0.0)

    done = run_until(transfer_id, finished)

    assert done.state == TransferState.SUCCEEDED, done.message
    (file_guid,) = archived(sandboxes)
    assert done.dinero_file_guid == file_guid
    assert [v["FileGuid"] for v in ours(sandboxes)] == [file_guid]


# -- "201, empty body" -----------------------------------------------------------------------


def test_every_create_answered_201_with_an_empty_body_is_resolved_at_once(
    sandboxes, connection, transfer_now, change_settings
):
    set_knobs(sandboxes, empty_created_rate=1.0)

    for kind, key in (
        (EntityKind.CUSTOMER, "2"),
        (EntityKind.PRODUCT, "101"),
        (EntityKind.CUSTOMER_INVOICE, "1001"),
        (EntityKind.SUPPLIER_INVOICE, "5001"),
    ):
        transfer = transfer_now(kind, key)
        assert (transfer.state, transfer.attempts) == (TransferState.SUCCEEDED, 1), (
            kind,
            transfer.message,
        )
        assert transfer.dinero_guid

    invoice_links = db.session.get(Transfer, transfer.id)
    assert invoice_links.dinero_file_guid in archived(sandboxes)
    references = Counter(
        record.get("ExternalReference")
        for table in ("contacts", "products", "invoices", "purchase_vouchers")
        for record in sandboxes.dinero_records(table)
        if str(record.get("ExternalReference") or "").startswith(f"rackbeat:{ACCOUNT_ID}:")
    )
    assert references and set(references.values()) == {1}, references


def test_a_credit_note_answered_201_with_an_empty_body_is_resolved(
    sandboxes, connection, transfer_now
):
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    invoice = transfer_now(EntityKind.CUSTOMER_INVOICE, "1001")
    assert invoice.state == TransferState.SUCCEEDED, invoice.message
    with store.lock:
        from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES

        note = create_invoice(
            store,
            sandboxes.rackbeat_account,
            CUSTOMER_INVOICES,
            {
                "customer_id": 1,
                "credited_invoice_id": 1001,
                "lines": [{"child_id": "100", "quantity": -1}],
            },
            book=True,
            suppress=True,
        )
    set_knobs(sandboxes, empty_created_rate=1.0)

    transfer = transfer_now(EntityKind.CUSTOMER_INVOICE, str(note["number"]))

    assert (transfer.state, transfer.attempts) == (TransferState.SUCCEEDED, 1), transfer.message
    (credit_note,) = sandboxes.dinero_records("sales_credit_notes")
    assert credit_note["Guid"] == transfer.dinero_guid and credit_note["Status"] == "Booked"


@pytest.mark.parametrize(
    "lost_answer",
    [
        {"empty_created_rate": 1.0},
        {"timeout_after_commit_rate": 1.0, "timeout_after_commit_seconds": READ_TIMEOUT * 3},
    ],
    ids=["201-empty", "timeout"],
)
def test_a_manual_voucher_whose_answer_is_lost_is_not_made_twice(
    sandboxes, connection, transfer_now, change_settings, lost_answer
):
    """Dinero offers no lookup of a draft manual voucher by our identity: the transfer stops
    with "check Dinero" instead of creating a second goods-consumption voucher."""
    change_settings(goods_consumption_enabled=True)
    assert transfer_now(EntityKind.CUSTOMER_INVOICE, "1001").state == TransferState.SUCCEEDED
    before = len(sandboxes.dinero_records("manual_vouchers"))
    set_knobs(sandboxes, **lost_answer)
    (follow_up,) = [
        t for t in db.session.query(Transfer).all() if t.kind == EntityKind.GOODS_CONSUMPTION
    ]

    done = run_until(follow_up.id, finished)

    assert (done.state, done.reason_code) == (TransferState.FAILED, "uncertain_write")
    assert "rackbeat:12345:goods_consumption:1001" in done.message
    assert len(sandboxes.dinero_records("manual_vouchers")) == before + 1
