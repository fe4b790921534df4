"""Invoices: drafts, book, fetch (totals without saving), payments, e-mail, PDF, credit."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from sandbox.dinero import sales
from sandbox.dinero import state
from sandbox.dinero.rules import check_timestamp
from sandbox.dinero.rules import claim_guid
from sandbox.dinero.rules import rule_error
from sandbox.dinero.views.common import body
from sandbox.dinero.views.common import empty_ok
from sandbox.dinero.views.common import find
from sandbox.dinero.views.common import organization
from sandbox.dinero.views.common import respond
from sandbox.dinero.views.sales_lists import sales_list

bp = Blueprint("dinero_invoices", __name__)

FAKE_PDF = b"%PDF-1.4\n% Dinero sandbox invoice\n%%EOF\n"

DEFAULT_TEMPLATE = {
    "Id": "0b1e2c3d-0000-4000-8000-000000000001",
    "Name": "Standard",
    "IsDefault": True,
    "Theme": "Standard",
    "PrimaryColor": "#1f5f8b",
    "SecondaryColor": "#e8eef3",
    "AddressPlacement": "Left",
    "Font": "Open Sans",
    "LogoType": "Letters",
    "LogoText": None,
    "LogoFileGuid": None,
    "MaxImageWidthMm": 60,
    "ShowCompanyInfo": True,
    "ShowPaymentConditions": True,
    "ShowLogo": False,
    "ShowLineQuantity": True,
    "ShowLineUnit": True,
    "ImageFileUploadGuid": None,
    "ImageTextColor": None,
}


def _invoice(guid: str, html: bool = False) -> dict:
    return find(organization().invoices, guid, "Invoice", html=html)


@bp.get("/v1/<organizationId>/invoices")
def list_invoices(organizationId: str):
    return sales_list((sales.INVOICE,), "/v1/{organizationId}/invoices")


@bp.post("/v1/<organizationId>/invoices")
def create(organizationId: str):
    data = body()
    org = organization()
    guid = claim_guid(org, data.get("Guid"))
    record = sales.store(org, sales.build(org, data, sales.INVOICE, guid))
    return respond(record)


@bp.post("/v1/<organizationId>/invoices/fetch")
def fetch(organizationId: str):
    org = organization()
    return respond(sales.build(org, body(), sales.INVOICE, None))


@bp.get("/v1/<organizationId>/invoices/templates")
def templates(organizationId: str):
    return jsonify([DEFAULT_TEMPLATE])


@bp.get("/v1/<organizationId>/invoices/<guid>")
def get(organizationId: str, guid: str):
    record = _invoice(guid, html=True)
    if "application/octet-stream" in request.headers.get("Accept", ""):
        if record["Status"] != "Booked":
            raise rule_error("A PDF exists only for a booked invoice.")
        return Response(FAKE_PDF, mimetype="application/octet-stream")
    return respond(sales.present(organization(), record))


@bp.put("/v1.2/<organizationId>/invoices/<guid>")
def update(organizationId: str, guid: str):
    org = organization()
    record = _invoice(guid)
    data = body()
    check_timestamp(record, data["Timestamp"])
    if record["Status"] != "Draft":
        raise rule_error("Only a draft invoice can be updated.")
    rebuilt = sales.build(org, data, sales.INVOICE, record["Guid"])
    rebuilt["CreatedAt"] = record["CreatedAt"]
    return respond(sales.store(org, rebuilt))


@bp.delete("/v1/<organizationId>/invoices/<guid>")
def delete(organizationId: str, guid: str):
    record = _invoice(guid)
    sales.delete_draft(record, body(optional=True).get("Timestamp"))
    return empty_ok()


@bp.post("/v1/<organizationId>/invoices/<guid>/book")
def book(organizationId: str, guid: str):
    org = organization()
    record = _invoice(guid)
    sales.book(org, record, body())
    return respond(sales.present(org, record))


@bp.post("/v1/<organizationId>/invoices/<guid>/email")
def email(organizationId: str, guid: str):
    org = organization()
    return jsonify(sales.record_mailout(org, _invoice(guid), body()))


@bp.get("/v1/<organizationId>/invoices/<guid>/mailouts")
def mailouts(organizationId: str, guid: str):
    return jsonify(_invoice(guid).get("_mailouts", []))


@bp.post("/v1/<organizationId>/invoices/<guid>/payments")
def add_payment(organizationId: str, guid: str):
    org = organization()
    record = _invoice(guid)
    payment = sales.add_payment(org, record, body())
    return jsonify(
        {"Guid": payment["Guid"], "TimeStamp": record["TimeStamp"], "RelatedVoucherGuid": None}
    )


@bp.delete("/v1/<organizationId>/invoices/<guid>/payments/<paymentGuid>")
def delete_payment(organizationId: str, guid: str, paymentGuid: str):
    org = organization()
    record = _invoice(guid)
    sales.delete_payment(org, record, paymentGuid, body()["Timestamp"])
    return jsonify({"TimeStamp": record["TimeStamp"]})


@bp.post("/v1/<organizationId>/invoices/<guid>/generate-creditnote")
def generate_credit_note(organizationId: str, guid: str):
    org = organization()
    invoice = _invoice(guid)
    check_timestamp(invoice, body(optional=True).get("Timestamp"))
    if invoice["Status"] != "Booked":
        raise rule_error("Only a booked invoice can be credited.")
    data = {
        "CreditNoteFor": invoice["Guid"],
        "ContactGuid": invoice["ContactGuid"],
        "Currency": invoice["Currency"],
        "Language": invoice["Language"],
        "ExternalReference": invoice["ExternalReference"],
        "ProductLines": sales.lines_as_input(invoice),
    }
    credit_note = sales.build(org, data, sales.CREDIT_NOTE, state.new_guid())
    return respond(sales.store(org, credit_note))
