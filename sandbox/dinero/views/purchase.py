"""Purchase vouchers (supplier bills, ``/vouchers/purchase``) and purchase credit notes.

There is no list endpoint for either (none in the OpenAPI document). The v1.1 create and
update accept the same body as v1.2 here; v1.1 does not store ``AccountTagName``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.dinero import ledger
from sandbox.dinero import state
from sandbox.dinero import vouchers
from sandbox.dinero.rules import check_draft_version
from sandbox.dinero.rules import check_timestamp
from sandbox.dinero.rules import claim_guid
from sandbox.dinero.rules import rule_error
from sandbox.dinero.views.common import body
from sandbox.dinero.views.common import empty_ok
from sandbox.dinero.views.common import find
from sandbox.dinero.views.common import organization
from sandbox.dinero.views.common import respond

bp = Blueprint("dinero_purchase", __name__)


def _voucher(guid: str) -> dict:
    return find(organization().purchase_vouchers, guid, "Purchase voucher")


def _credit_note(guid: str) -> dict:
    return find(organization().purchase_credit_notes, guid, "Purchase credit note")


def _without_tags(data: dict[str, Any]) -> dict[str, Any]:
    if not request.path.startswith("/v1.1/"):
        return data
    lines = [{**line, "AccountTagName": None} for line in data.get("Lines") or []]
    return {**data, "Lines": lines}


def _create():
    org = organization()
    data = _without_tags(body())
    record = vouchers.build_purchase_voucher(org, data, state.new_guid())
    return respond(vouchers.store(org.purchase_vouchers, record))


@bp.post("/v1.1/<organizationId>/vouchers/purchase")
def create_v1_1(organizationId: str):
    return _create()


@bp.post("/v1.2/<organizationId>/vouchers/purchase")
def create_v1_2(organizationId: str):
    return _create()


@bp.post("/v1/<organizationId>/vouchers/purchase/fetch")
def fetch(organizationId: str):
    return respond(vouchers.build_purchase_voucher(organization(), body(), None))


@bp.post("/v1/<organizationId>/vouchers/purchase/similar")
def similar(organizationId: str):
    """A voucher with the same external reference, or the same contact, date and total."""
    org = organization()
    probe = vouchers.build_purchase_voucher(org, body(), None)

    def total(voucher: dict) -> float:
        return voucher["VoucherTotals"][-1]["Total"]

    for voucher in org.purchase_vouchers.values():
        same_reference = (
            probe["ExternalReference"]
            and voucher["ExternalReference"] == probe["ExternalReference"]
        )
        same_bill = (
            voucher["ContactGuid"] == probe["ContactGuid"]
            and voucher["VoucherDate"] == probe["VoucherDate"]
            and total(voucher) == total(probe)
        )
        if same_reference or same_bill:
            return jsonify(
                {
                    "VoucherNumber": voucher["VoucherNumber"],
                    "SimilarGuid": voucher["Guid"],
                    "SimilarFound": True,
                }
            )
    return jsonify({"VoucherNumber": None, "SimilarGuid": None, "SimilarFound": False})


@bp.get("/v1/<organizationId>/vouchers/purchase/fileguid/<fileGuid>")
def by_file(organizationId: str, fileGuid: str):
    """The guids of the purchase drafts carrying the file; ``[]`` when none does.

    The summary says "Get purchase draft Guid by fileGuid", the description "Gets purchase
    voucher Guid": the sandbox takes the narrower reading and lists drafts only, so a client
    cannot come to rely on finding a booked voucher here (the file archive's ``Linked`` lists
    every voucher a file is on).
    """
    org = organization()
    wanted = fileGuid.lower()
    return jsonify(
        [
            voucher["Guid"]
            for voucher in org.purchase_vouchers.values()
            if (voucher["FileGuid"] or "").lower() == wanted and voucher["Status"] == "Draft"
        ]
    )


@bp.get("/v1/<organizationId>/vouchers/purchase/<guid>")
def get(organizationId: str, guid: str):
    return respond(_voucher(guid))


def _update(guid: str):
    org = organization()
    record = _voucher(guid)
    data = _without_tags(body())
    check_draft_version(record, data["Timestamp"], "Only a draft voucher can be updated.")
    rebuilt = vouchers.build_purchase_voucher(org, data, record["Guid"])
    rebuilt["CreatedAt"] = record["CreatedAt"]
    return respond(vouchers.store(org.purchase_vouchers, rebuilt))


@bp.put("/v1/<organizationId>/vouchers/purchase/<guid>")
def update_v1(organizationId: str, guid: str):
    return _update(guid)


@bp.put("/v1.1/<organizationId>/vouchers/purchase/<guid>")
def update_v1_1(organizationId: str, guid: str):
    return _update(guid)


@bp.delete("/v1/<organizationId>/vouchers/purchase/<guid>")
def delete(organizationId: str, guid: str):
    """A draft is removed; a booked voucher is kept (Dinero posts an offsetting entry)."""
    org = organization()
    record = _voucher(guid)
    check_timestamp(record, body(optional=True).get("Timestamp"), key="Timestamp")
    if record["Status"] == "Draft":
        del org.purchase_vouchers[record["Guid"]]
    elif not record.get("_offset_posted"):
        record["_offset_posted"] = True
        ledger.post_offset(org, record["Guid"])
    return empty_ok()


@bp.post("/v1/<organizationId>/vouchers/purchase/<guid>/book")
def book(organizationId: str, guid: str):
    org = organization()
    record = _voucher(guid)
    vouchers.book_purchase_voucher(org, record, body())
    return respond(record)


@bp.post("/v1/<organizationId>/vouchers/purchase/<guid>/generate-creditnote")
def generate_credit_note(organizationId: str, guid: str):
    org = organization()
    voucher = _voucher(guid)
    data = body()
    check_timestamp(voucher, data["Timestamp"].get("Timestamp"), key="Timestamp")
    if voucher["Status"] == "Draft":
        raise rule_error("Only a booked voucher can be credited.")
    credit_note = vouchers.build_purchase_credit_note(
        org,
        {
            "CreditNoteFor": voucher["Guid"],
            "ContactGuid": voucher["ContactGuid"],
            "FileGuid": data.get("FileGuid") or voucher["FileGuid"],
            "Date": data.get("VoucherDate"),
            "Currency": voucher["CurrencyKey"],
            "Lines": voucher["_input_lines"],
        },
        state.new_guid(),
    )
    return respond(vouchers.store(org.purchase_credit_notes, credit_note))


@bp.post("/v1/<organizationId>/vouchers/purchase/creditnotes")
def create_credit_note(organizationId: str):
    org = organization()
    data = body()
    guid = claim_guid(org, data.get("Guid"))
    record = vouchers.build_purchase_credit_note(org, data, guid)
    return jsonify(
        {"Guid": guid, "TimeStamp": vouchers.store(org.purchase_credit_notes, record)["Timestamp"]}
    )


@bp.get("/v1/<organizationId>/vouchers/purchase/creditnotes/<guid>")
def get_credit_note(organizationId: str, guid: str):
    return respond(_credit_note(guid))


@bp.put("/v1/<organizationId>/vouchers/purchase/creditnotes/<guid>")
def update_credit_note(organizationId: str, guid: str):
    org = organization()
    record = _credit_note(guid)
    data = body()
    check_draft_version(record, data["Timestamp"], "Only a draft credit note can be updated.")
    rebuilt = vouchers.build_purchase_credit_note(org, data, record["Guid"])
    rebuilt["CreatedAt"] = record["CreatedAt"]
    vouchers.store(org.purchase_credit_notes, rebuilt)
    return jsonify({"Guid": rebuilt["Guid"], "TimeStamp": rebuilt["Timestamp"]})


@bp.delete("/v1/<organizationId>/vouchers/purchase/creditnotes/<guid>")
def delete_credit_note(organizationId: str, guid: str):
    org = organization()
    record = _credit_note(guid)
    check_timestamp(record, body(optional=True).get("Timestamp"), key="Timestamp")
    if record["Status"] != "Draft":
        raise rule_error("A booked credit note cannot be deleted.")
    del org.purchase_credit_notes[record["Guid"]]
    return empty_ok()


@bp.post("/v1/<organizationId>/vouchers/purchase/creditnotes/<guid>/book")
def book_credit_note(organizationId: str, guid: str):
    org = organization()
    record = _credit_note(guid)
    vouchers.book_purchase_credit_note(org, record, body())
    return respond(record)
