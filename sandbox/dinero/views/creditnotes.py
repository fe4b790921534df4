"""Sales credit notes (``/sales/creditnotes``), the combined ``/sales`` list and sales settings."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import jsonify

from sandbox.dinero import sales
from sandbox.dinero.rules import claim_guid
from sandbox.dinero.rules import rule_error
from sandbox.dinero.views.common import body
from sandbox.dinero.views.common import empty_ok
from sandbox.dinero.views.common import find
from sandbox.dinero.views.common import organization
from sandbox.dinero.views.common import respond
from sandbox.dinero.views.invoices import FAKE_PDF
from sandbox.dinero.views.sales_lists import sales_list

bp = Blueprint("dinero_creditnotes", __name__)


def _credit_note(guid: str, html: bool = False) -> dict:
    return find(organization().sales_credit_notes, guid, "Credit note", html=html)


@bp.get("/v1/<organizationId>/sales")
def list_sales(organizationId: str):
    return sales_list((sales.INVOICE, sales.CREDIT_NOTE), "/v1/{organizationId}/sales")


@bp.get("/v1/<organizationId>/sales/settings")
def settings(organizationId: str):
    return jsonify(
        {
            "LinesInclVat": False,
            "FikCode": None,
            "UseFikCode": False,
            "DefaultAccountNumber": 1000,
            "InvoiceTemplateId": None,
            "AddVoucherAsPdfAttachment": True,
            "ReminderFee": 100.0,
            "ReminderInterestRate": 0.7,
            "TrustPilotEmail": None,
            "PaymentConditionNumberOfDays": 8,
            "PaymentConditionType": "Netto",
        }
    )


@bp.get("/v1/<organizationId>/sales/creditnotes")
def list_credit_notes(organizationId: str):
    return sales_list((sales.CREDIT_NOTE,), "/v1/{organizationId}/sales/creditnotes")


@bp.post("/v1/<organizationId>/sales/creditnotes")
def create(organizationId: str):
    data = body()
    org = organization()
    guid = claim_guid(org, data.get("Guid"))
    return respond(sales.store(org, sales.build(org, data, sales.CREDIT_NOTE, guid)))


@bp.post("/v1/<organizationId>/sales/creditnotes/fetch")
def fetch(organizationId: str):
    org = organization()
    return respond(sales.build(org, body(), sales.CREDIT_NOTE, None))


@bp.get("/v1/<organizationId>/sales/creditnotes/<guid>")
def get(organizationId: str, guid: str):
    return respond(sales.present(organization(), _credit_note(guid, html=True)))


@bp.delete("/v1/<organizationId>/sales/creditnotes/<guid>")
def delete(organizationId: str, guid: str):
    sales.delete_draft(_credit_note(guid), body(optional=True).get("Timestamp"))
    return empty_ok()


@bp.post("/v1/<organizationId>/sales/creditnotes/<guid>/book")
def book(organizationId: str, guid: str):
    org = organization()
    record = _credit_note(guid)
    sales.book(org, record, body())
    return respond(sales.present(org, record))


@bp.get("/v1/<organizationId>/sales/creditnotes/<guid>/email/template")
def email_template(organizationId: str, guid: str):
    org = organization()
    record = _credit_note(guid)
    contact = org.contacts.get((record["ContactGuid"] or "").lower()) or {}
    return jsonify(
        {
            "Sender": org.profile.get("Email"),
            "Receiver": contact.get("Email"),
            "Subject": f"{record['Description']} {record['Number']} fra {org.name}",
            "Message": "Hej\n\nHermed kreditnota.\n\nVenlig hilsen\n" + org.name,
            "AddVoucherAsPdfAttachment": True,
        }
    )


@bp.post("/v1/<organizationId>/sales/creditnotes/<guid>/email")
def email(organizationId: str, guid: str):
    org = organization()
    return jsonify(sales.record_mailout(org, _credit_note(guid), body()))


@bp.get("/v1/<organizationId>/sales/creditnotes/<guid>/pdf")
def pdf(organizationId: str, guid: str):
    if _credit_note(guid)["Status"] != "Booked":
        raise rule_error("A PDF exists only for a booked credit note.")
    return Response(FAKE_PDF, mimetype="application/pdf")


@bp.get("/v1/<organizationId>/sales/creditnotes/<guid>/mailouts")
def mailouts(organizationId: str, guid: str):
    return jsonify(_credit_note(guid).get("_mailouts", []))


@bp.get("/v1/<organizationId>/sales/creditnotes/<guid>/payments")
def payments(organizationId: str, guid: str):
    return jsonify(sales.payments_model(organization(), _credit_note(guid)))


@bp.post("/v1/<organizationId>/sales/creditnotes/<guid>/payments")
def add_payment(organizationId: str, guid: str):
    org = organization()
    record = _credit_note(guid)
    payment = sales.add_payment(org, record, body())
    return jsonify(
        {"Guid": payment["Guid"], "TimeStamp": record["TimeStamp"], "RelatedVoucherGuid": None}
    )


@bp.delete("/v1/<organizationId>/sales/creditnotes/<guid>/payments/<paymentGuid>")
def delete_payment(organizationId: str, guid: str, paymentGuid: str):
    org = organization()
    record = _credit_note(guid)
    sales.delete_payment(org, record, paymentGuid, body(optional=True).get("Timestamp"))
    return jsonify({"TimeStamp": record["TimeStamp"]})
