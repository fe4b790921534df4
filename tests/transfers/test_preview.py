"""The dry run of an invoice (PV1) against both sandboxes: what it shows, what stops it, that it
writes nothing anywhere, and that it equals, line for line, what a real transfer then creates."""

from __future__ import annotations

import copy
from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa

from rackdinero_app.extensions import db
from rackdinero_app.models import AccountMapping
from rackdinero_app.models import Base
from rackdinero_app.models import LayoutLanguage
from rackdinero_app.models import UnitMapping
from rackdinero_app.models.enums import ConnectionState
from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import MappingDirection
from rackdinero_app.models.enums import TransferState
from rackdinero_app.models.enums import VatZone
from rackdinero_app.transfers.preview import preview
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from tests.transfers.conftest import ORGANIZATION_ID

pytestmark = pytest.mark.redis

LINE_FIELDS = ("Description", "Quantity", "AccountNumber", "Unit", "Discount", "BaseAmountValue")


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def dinero_api_requests(sandboxes) -> Counter:
    """Dinero's API requests for the organization (the API key's token exchange aside: it is
    authentication, cached by the app, not a request about the invoice)."""
    sandbox = sandboxes.dinero.extensions["dinero_sandbox"]
    with sandbox.lock:
        return Counter(
            {
                (method, path): count
                for (org, method, path), count in sandbox.request_counts.items()
                if org == str(ORGANIZATION_ID) and "token" not in path
            }
        )


def rackbeat_records(sandboxes) -> dict:
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    with store.lock:
        return copy.deepcopy(sandboxes.rackbeat_account.records)


def dinero_records(sandboxes) -> dict:
    tables = ("contacts", "products", "invoices", "sales_credit_notes", "purchase_vouchers")
    return {
        table: sandboxes.dinero_records(table) for table in (*tables, "manual_vouchers", "files")
    }


class NothingWritten:
    """Row counts and both sandboxes' records before; ``check`` compares after."""

    def __init__(self, sandboxes) -> None:
        self.sandboxes = sandboxes
        self.rows = row_counts()
        self.rackbeat = rackbeat_records(sandboxes)
        self.dinero = dinero_records(sandboxes)
        self.requests = dinero_api_requests(sandboxes)

    def check(self) -> Counter:
        """Assert nothing was written; return the Dinero requests made meanwhile."""
        db.session.rollback()
        assert row_counts() == self.rows
        assert rackbeat_records(self.sandboxes) == self.rackbeat
        assert dinero_records(self.sandboxes) == self.dinero
        return dinero_api_requests(self.sandboxes) - self.requests


def texts(result) -> list[str]:
    return [message.text for message in result.blockers]


def test_a_sales_invoice_preview_shows_every_choice_and_dinero_totals_writing_nothing(
    sandboxes, connection
):
    before = NothingWritten(sandboxes)

    result = preview(connection, EntityKind.CUSTOMER_INVOICE, "1001")

    requests = before.check()
    assert requests == Counter({("POST", "/v1/{organizationId}/invoices/fetch"): 1})
    assert result.blockers == [] and result.error is None and result.existing is None
    assert result.document == EntityKind.CUSTOMER_INVOICE
    assert result.contact.dinero_guid is None and "Hansen Byg A/S" in result.contact.name
    assert result.zone == VatZone.DOMESTIC
    assert result.language == DineroLanguage.DANISH and result.layout == '"Standard (dansk)" (1)'
    goods, fitting = result.lines
    assert (goods.product_number, goods.group, goods.group_name) == ("100", "1", "Finished goods")
    assert (goods.account, goods.unit_name, goods.dinero_unit) == (1000, "stk", "parts")
    assert (fitting.group, fitting.group_name, fitting.zone) == ("2", "Services", VatZone.DOMESTIC)
    assert (fitting.account, fitting.unit_name, fitting.dinero_unit) == (1300, "timer", "hours")
    assert (fitting.quantity, fitting.unit_price, fitting.discount) == (3, Decimal(650), 0)
    assert fitting.total == Decimal("1950.00")
    assert result.totals_by_dinero and result.totals_agree is True
    assert result.totals.excl_vat == result.rackbeat_totals.excl_vat == Decimal("11940.00")
    assert result.totals.incl_vat == result.rackbeat_totals.incl_vat


def test_the_preview_equals_what_the_transfer_then_creates(sandboxes, connection, transfer_now):
    sales = preview(connection, EntityKind.CUSTOMER_INVOICE, "1002")
    purchase = preview(connection, EntityKind.SUPPLIER_INVOICE, "5001")
    assert sales.blockers == [] and purchase.blockers == []

    invoice_transfer = transfer_now(EntityKind.CUSTOMER_INVOICE, "1002")
    voucher_transfer = transfer_now(EntityKind.SUPPLIER_INVOICE, "5001")

    assert invoice_transfer.state == TransferState.SUCCEEDED, invoice_transfer.message
    (invoice,) = [
        i for i in sandboxes.dinero_records("invoices") if i["Guid"] == invoice_transfer.dinero_guid
    ]
    created = [{name: line[name] for name in LINE_FIELDS} for line in invoice["ProductLines"]]
    previewed = [
        {name: line[name] for name in LINE_FIELDS} for line in sales.payload["ProductLines"]
    ]
    assert created == previewed
    assert [
        (line.description, line.quantity, line.account, line.dinero_unit, line.discount)
        for line in sales.lines
    ] == [
        (s["Description"], Decimal(str(s["Quantity"])), s["AccountNumber"], s["Unit"],
         Decimal(str(s["Discount"])))
        for s in invoice["ProductLines"]
    ]  # fmt: skip
    assert [line.unit_price for line in sales.lines] == [
        Decimal(str(s["BaseAmountValue"])) for s in invoice["ProductLines"]
    ]
    assert (sales.totals.excl_vat, sales.totals.vat, sales.totals.incl_vat) == (
        Decimal(str(invoice["TotalExclVat"])),
        Decimal(str(invoice["TotalVat"])),
        Decimal(str(invoice["TotalInclVat"])),
    )

    assert voucher_transfer.state == TransferState.SUCCEEDED, voucher_transfer.message
    (voucher,) = [
        v
        for v in sandboxes.dinero_records("purchase_vouchers")
        if v["Guid"] == voucher_transfer.dinero_guid
    ]
    assert [
        (line["AccountNumber"], line["Description"], Decimal(str(line["AmountInclVatValue"])))
        for line in voucher["Lines"]
    ] == [(line.account, line.description, line.amount_incl_vat) for line in purchase.lines]
    dinero_totals = {t["Type"]: Decimal(str(t["Total"])) for t in voucher["VoucherTotals"]}
    assert dinero_totals["TotalExclVat"] == purchase.totals.excl_vat
    assert dinero_totals["Vat"] == purchase.totals.vat

    again = preview(connection, EntityKind.CUSTOMER_INVOICE, "1002")
    assert again.existing is not None
    assert again.existing.dinero_guid == invoice_transfer.dinero_guid
    assert again.contact.dinero_guid is not None  # the customer's contact exists now


def test_a_supplier_invoice_preview_asks_dinero_nothing(sandboxes, connection):
    before = NothingWritten(sandboxes)

    result = preview(connection, EntityKind.SUPPLIER_INVOICE, "5002")

    assert before.check() == Counter()
    assert result.blockers == [] and result.document == EntityKind.SUPPLIER_INVOICE
    assert result.zone == VatZone.EU and [line.account for line in result.lines] == [2050, 2050]
    assert not result.totals_by_dinero and result.totals_agree is True
    assert result.totals.vat == 0  # an EU supplier's invoice carries no Danish VAT
    assert result.totals.incl_vat == result.rackbeat_totals.incl_vat


def test_a_credit_note_is_previewed_as_one_and_names_its_uncredited_invoice(sandboxes, connection):
    store = sandboxes.rackbeat.extensions["rackbeat_sandbox"]
    body = {
        "customer_id": 1,
        "credited_invoice_id": 1001,
        "lines": [{"child_id": "100", "quantity": -1}],
    }
    with store.lock:
        record = create_invoice(
            store, sandboxes.rackbeat_account, CUSTOMER_INVOICES, body, book=True, suppress=True
        )
    before = NothingWritten(sandboxes)

    result = preview(connection, EntityKind.CUSTOMER_INVOICE, str(record["number"]))

    assert before.check() == Counter({("POST", "/v1/{organizationId}/sales/creditnotes/fetch"): 1})
    assert result.document == EntityKind.CREDIT_NOTE and result.credits == "1001"
    assert [m.code for m in result.blockers] == ["credited_invoice_not_transferred"]
    (line,) = result.lines
    assert line.quantity == 1 and line.total == Decimal("4995.00")  # Dinero's positive signs
    assert result.totals.excl_vat == Decimal("4995.00") and result.totals_agree is True


def test_every_blocker_is_collected_with_its_fix_and_the_rest_still_shown(
    sandboxes, connection, change_settings
):
    change_settings(customer_integration_enabled=False)
    db.session.execute(
        sa.delete(AccountMapping).where(
            AccountMapping.direction == MappingDirection.SALES,
            AccountMapping.product_group == "2",
            AccountMapping.vat_zone == VatZone.DOMESTIC,
        )
    )
    db.session.execute(sa.delete(UnitMapping).where(UnitMapping.rackbeat_unit == "4"))
    db.session.execute(sa.delete(LayoutLanguage).where(LayoutLanguage.rackbeat_layout == "1"))
    db.session.commit()
    before = NothingWritten(sandboxes)

    result = preview(connection, EntityKind.CUSTOMER_INVOICE, "1001")

    assert before.check() == Counter()  # no payload, so Dinero is not asked
    assert [m.code for m in result.blockers] == [
        "customers_off",
        "choose_invoice_language",  # once, the layout named as on the settings page
        "map_revenue_account_domestic",
        "map_unit",
    ]
    assert '"Standard (dansk)" (1)' in result.blockers[1].text
    assert result.layout == '"Standard (dansk)" (1)' and result.language is None
    result.blockers.pop(1)
    assert '"Services" (2)' in result.blockers[1].text and "Revenue accounts" in texts(result)[1]
    assert '"timer" (4)' in result.blockers[2].text
    goods, fitting = result.lines
    assert goods.account == 1000 and goods.dinero_unit == "parts" and not goods.problems
    assert fitting.account is None and fitting.dinero_unit is None
    assert [m.code for m in fitting.problems] == ["map_revenue_account_domestic", "map_unit"]
    assert fitting.quantity == 3 and fitting.description == "Montering"
    assert result.payload is None and result.totals is None


def test_unbooked_paused_and_unknown_invoices(sandboxes, connection):
    connection.state = ConnectionState.PAUSED
    db.session.commit()

    unbooked = preview(connection, EntityKind.CUSTOMER_INVOICE, "1004")
    unknown = preview(connection, EntityKind.SUPPLIER_INVOICE, "9999")

    assert [m.code for m in unbooked.blockers] == ["connection_paused", "invoice_not_booked"]
    assert unbooked.found and unbooked.lines  # still shown
    assert not unknown.found
    assert [m.code for m in unknown.blockers] == ["connection_paused", "preview_not_found"]
    assert "supplier invoice 9999 was not found" in unknown.blockers[1].text
