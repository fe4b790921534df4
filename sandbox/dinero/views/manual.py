"""Manual vouchers ("finansbilag"): the path is spelled ``vouchers/manuel``, as Dinero does."""

from __future__ import annotations

from flask import Blueprint

from sandbox.dinero import ledger
from sandbox.dinero import state
from sandbox.dinero import vouchers
from sandbox.dinero.rules import check_draft_version
from sandbox.dinero.rules import check_timestamp
from sandbox.dinero.views.common import body
from sandbox.dinero.views.common import empty_ok
from sandbox.dinero.views.common import find
from sandbox.dinero.views.common import organization
from sandbox.dinero.views.common import respond

bp = Blueprint("dinero_manual", __name__)


def _voucher(guid: str) -> dict:
    return find(organization().manual_vouchers, guid, "Manual voucher")


@bp.post("/v1/<organizationId>/vouchers/manuel")
def create(organizationId: str):
    org = organization()
    record = vouchers.build_manual_voucher(org, body(), state.new_guid())
    return respond(vouchers.store(org.manual_vouchers, record))


@bp.get("/v1/<organizationId>/vouchers/manuel/<guid>")
def get(organizationId: str, guid: str):
    return respond(_voucher(guid))


@bp.put("/v1/<organizationId>/vouchers/manuel/<guid>")
def update(organizationId: str, guid: str):
    org = organization()
    record = _voucher(guid)
    data = body()
    check_draft_version(record, data["Timestamp"], "Only a draft voucher can be updated.")
    rebuilt = vouchers.build_manual_voucher(org, data, record["Guid"])
    rebuilt["CreatedAt"] = record["CreatedAt"]
    return respond(vouchers.store(org.manual_vouchers, rebuilt))


@bp.delete("/v1/<organizationId>/vouchers/manuel/<guid>")
def delete(organizationId: str, guid: str):
    """A draft is removed; a booked voucher is kept (Dinero posts an offsetting entry)."""
    org = organization()
    record = _voucher(guid)
    check_timestamp(record, body()["Timestamp"], key="Timestamp")
    if record["Status"] == "Draft":
        del org.manual_vouchers[record["Guid"]]
    elif not record.get("_offset_posted"):
        record["_offset_posted"] = True
        ledger.post_offset(org, record["Guid"])
    return empty_ok()


@bp.post("/v1/<organizationId>/vouchers/manuel/<guid>/book")
def book(organizationId: str, guid: str):
    org = organization()
    record = _voucher(guid)
    vouchers.book_manual_voucher(org, record, body())
    return respond(record)
