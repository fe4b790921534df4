"""Sales vouchers (invoices and sales credit notes): building drafts, booking, payments.

Invoices and credit notes share one number series (Danish practice: one unbroken sequence).
Records hold every read-model property of both kinds; responses are cut down to the documented
model of each operation (``views.common.shaped``). Keys starting with ``_`` are internal.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sandbox.dinero import ledger
from sandbox.dinero import state
from sandbox.dinero.errors import invalid
from sandbox.dinero.money import dec
from sandbox.dinero.money import price_sales_lines
from sandbox.dinero.rules import LANGUAGES
from sandbox.dinero.rules import PAYMENT_CONDITIONS
from sandbox.dinero.rules import check_account
from sandbox.dinero.rules import check_contact
from sandbox.dinero.rules import check_date
from sandbox.dinero.rules import check_one_of
from sandbox.dinero.rules import check_timestamp
from sandbox.dinero.rules import check_unit
from sandbox.dinero.rules import rule_error
from sandbox.dinero.state import Organization

INVOICE = "Invoice"
CREDIT_NOTE = "CreditNote"
STATUS_ORDER = ("Draft", "Overdue", "Booked", "OverPaid", "Paid")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DEFAULT_DESCRIPTION = {
    (INVOICE, "da-DK"): "Faktura",
    (INVOICE, "en-GB"): "Invoice",
    (CREDIT_NOTE, "da-DK"): "Kreditnota",
    (CREDIT_NOTE, "en-GB"): "Credit note",
}


def table(org: Organization, kind: str) -> dict[str, dict[str, Any]]:
    return org.invoices if kind == INVOICE else org.sales_credit_notes


def _check_lines(org: Organization, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not lines:
        raise invalid("ProductLines", "At least one line is required.")
    checked = []
    for index, line in enumerate(lines):
        prefix = f"ProductLines[{index}]"
        line_type = line.get("LineType") or "Product"
        check_one_of(f"{prefix}.LineType", line_type, frozenset({"Product", "Text"}))
        if line_type == "Text":
            checked.append(_text_line(prefix, line))
            continue
        if line.get("Unit") is None:
            raise invalid(f"{prefix}.Unit", "The Unit field is required when LineType is Product.")
        check_unit(f"{prefix}.Unit", line.get("Unit"))
        check_account(org, f"{prefix}.AccountNumber", line["AccountNumber"])
        if not 0 <= line["Discount"] <= 100:
            raise invalid(f"{prefix}.Discount", "The discount must be a percentage from 0 to 100.")
        description = line.get("Description")
        if line.get("ProductGuid"):
            product = org.products.get(line["ProductGuid"].lower())
            if product is None or product["DeletedAt"]:
                raise invalid(
                    f"{prefix}.ProductGuid", f"The product {line['ProductGuid']} does not exist."
                )
            description = description or product["Name"]
        elif not description:
            raise invalid(
                f"{prefix}.Description",
                "The Description field is required when no ProductGuid is set.",
            )
        checked.append({**line, "LineType": line_type, "Description": description})
    return checked


def _text_line(prefix: str, line: dict[str, Any]) -> dict[str, Any]:
    """A text line: only its ``Description`` is needed (see ``validation.text_lines``).

    "Text lines should only contain a description" and "have no effect on the voucher": any
    other value sent with one is kept but neither checked nor counted; the numbers a text
    line leaves out read as 0, the defaults of Dinero's non-nullable line fields.
    """
    if not line.get("Description"):
        raise invalid(f"{prefix}.Description", "A text line needs a Description.")
    defaults = {"AccountNumber": 0, "BaseAmountValue": 0, "Quantity": 0, "Discount": 0}
    return {**defaults, **line, "LineType": "Text"}


def _payment_date(issued: date, condition: str, days: int) -> date:
    if condition == "CurrentMonthOut":
        last = calendar.monthrange(issued.year, issued.month)[1]
        return issued.replace(day=last) + timedelta(days=days)
    return issued + timedelta(days=days)


def _address(contact: dict[str, Any] | None) -> str | None:
    if contact is None:
        return None
    city = " ".join(p for p in (contact.get("ZipCode"), contact.get("City")) if p)
    return (
        "\n".join(p for p in (contact.get("Street"), city, contact.get("CountryKey")) if p) or None
    )


def build(org: Organization, data: dict[str, Any], kind: str, guid: str | None) -> dict[str, Any]:
    """A draft sales voucher from a validated create/update/fetch body (not stored)."""
    language = data.get("Language") or "da-DK"
    check_one_of("Language", language, LANGUAGES)
    check_date("Date", data.get("Date"))
    currency = data.get("Currency") or "DKK"
    if not _CURRENCY.match(currency):
        raise invalid("Currency", f"'{currency}' is not a currency code like DKK or EUR.")
    condition = data.get("PaymentConditionType")
    check_one_of("PaymentConditionType", condition, PAYMENT_CONDITIONS)
    contact = check_contact(org, "ContactGuid", data.get("ContactGuid"))
    credit_note_for = data.get("CreditNoteFor")
    if credit_note_for and credit_note_for.lower() not in org.invoices:
        raise invalid("CreditNoteFor", f"The invoice {credit_note_for} does not exist.")
    lines = _check_lines(org, data["ProductLines"])
    read_lines, totals = price_sales_lines(
        lines, org.vat_rate_of, org.account_name, bool(data.get("ShowLinesInclVat"))
    )

    issued = date.fromisoformat(data["Date"]) if data.get("Date") else state.now().date()
    days = data.get("PaymentConditionNumberOfDays")
    if condition is None:
        condition = (contact or {}).get("PaymentConditionType") or "Netto"
        days = (contact or {}).get("PaymentConditionNumberOfDays") if days is None else days
    if condition in ("NettoCash", "Paid"):
        days = 0
    days = 8 if days is None else days
    moment = state.iso(state.now())
    return {
        "_kind": kind,
        "_input_lines": lines,
        "Type": kind,
        "Guid": guid,
        "TimeStamp": None,
        "CreatedAt": moment,
        "UpdatedAt": moment,
        "DeletedAt": None,
        "Number": 0,
        "Status": "Draft",
        "PaymentStatus": "Draft",
        "ContactGuid": contact["ContactGuid"] if contact else None,
        "ContactName": contact["Name"] if contact else None,
        "CreditNoteFor": credit_note_for.lower() if credit_note_for else None,
        "ShowLinesInclVat": bool(data.get("ShowLinesInclVat")),
        "InvoiceTemplateId": data.get("InvoiceTemplateId"),
        "Currency": currency,
        "Language": language,
        "ExternalReference": data.get("ExternalReference"),
        "Description": data.get("Description") or _DEFAULT_DESCRIPTION[(kind, language)],
        "Comment": data.get("Comment"),
        "Date": issued.isoformat(),
        "Address": data.get("Address") or _address(contact),
        "PaymentConditionType": condition,
        "PaymentConditionNumberOfDays": days,
        "PaymentDate": _payment_date(issued, condition, days).isoformat(),
        "FikCode": None,
        "DepositAccountNumber": None,
        "MailOutStatus": None,
        "LatestMailOutType": None,
        "IsSentToDebtCollection": False,
        "IsMobilePayInvoiceEnabled": bool(data.get("IsMobilePayInvoiceEnabled")),
        "IsPensoPayEnabled": bool(data.get("IsPensoPayEnabled")),
        "CanEnableMobilePayInvoice": False,
        "CanEnablePensoPay": False,
        "ProductLines": read_lines,
        **totals,
    }


def store(org: Organization, record: dict[str, Any]) -> dict[str, Any]:
    record["TimeStamp"] = state.current().new_timestamp()
    table(org, record["_kind"])[record["Guid"]] = record
    return record


def book(org: Organization, record: dict[str, Any], data: dict[str, Any]) -> None:
    """Book a draft: check version and contact, take the next (or the asked) number."""
    check_timestamp(record, data["Timestamp"])
    if record["Status"] != "Draft":
        raise rule_error("The voucher is already booked.")
    contact = check_contact(org, "ContactGuid", record["ContactGuid"])
    if contact is None:
        raise invalid("ContactGuid", "A contact is required to book the voucher.")
    used = {r["Number"] for r in (*org.invoices.values(), *org.sales_credit_notes.values())}
    number = data.get("Number")
    if number is not None and (number < 1 or number in used):
        raise invalid("Number", f"The number {number} is already used or not valid.")
    if number is None:
        number = org.next_sales_number
        while number in used:
            number += 1
    org.next_sales_number = max(org.next_sales_number, number + 1)
    contact["IsDebitor"] = True
    record.update(
        Number=number,
        Status="Booked",
        TimeStamp=state.current().new_timestamp(),
        UpdatedAt=state.iso(state.now()),
    )
    ledger.post_sales_voucher(org, record)


def paid_amount(org: Organization, record: dict[str, Any]) -> Decimal:
    return sum((dec(p["Amount"]) for p in org.payments.get(record["Guid"], [])), Decimal(0))


def present(org: Organization, record: dict[str, Any]) -> dict[str, Any]:
    """The record with its payment status as of today."""
    if record["Status"] == "Draft":
        return {**record, "PaymentStatus": "Draft"}
    paid, total = paid_amount(org, record), dec(record["TotalInclVat"])
    if paid > total:
        status = "OverPaid"
    elif paid == total:
        status = "Paid"
    elif record["PaymentDate"] < state.now().date().isoformat():
        status = "Overdue"
    else:
        status = "Booked"
    return {**record, "PaymentStatus": status}


def list_item(org: Organization, record: dict[str, Any]) -> dict[str, Any]:
    """``SalesVoucherReadListModel``: ``Status`` there is the payment status."""
    shown = present(org, record)
    return {
        **shown,
        "Status": shown["PaymentStatus"],
        "TotalInclVatInDkk": shown["TotalInclVat"],
        "TotalExclVatInDkk": shown["TotalExclVat"],
    }


def add_payment(org: Organization, record: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    check_timestamp(record, data["Timestamp"])
    if record["Status"] != "Booked":
        raise rule_error("Payments can only be added to a booked voucher.")
    if data["DepositAccountNumber"] not in org.deposit_accounts:
        raise invalid(
            "DepositAccountNumber", f"{data['DepositAccountNumber']} is not a deposit account."
        )
    if data["Amount"] == 0:
        raise invalid("Amount", "The amount must not be 0.")
    check_date("PaymentDate", data.get("PaymentDate"))
    payment = {
        "Guid": state.new_guid(),
        "DepositAccountNumber": data["DepositAccountNumber"],
        "Currency": record["Currency"],
        "ExchangeRate": 100.0,
        "PaymentClass": "Payment",
        "RelatedVoucherId": None,
        "ExternalReference": data.get("ExternalReference"),
        "PaymentDate": data.get("PaymentDate") or state.now().date().isoformat(),
        "Description": data["Description"],
        "Amount": data["Amount"],
    }
    org.payments.setdefault(record["Guid"], []).append(payment)
    record["TimeStamp"] = state.current().new_timestamp()
    record["UpdatedAt"] = state.iso(state.now())
    return payment


def delete_payment(
    org: Organization, record: dict[str, Any], payment_guid: str, timestamp: str | None
) -> None:
    check_timestamp(record, timestamp)
    payments = org.payments.get(record["Guid"], [])
    remaining = [p for p in payments if p["Guid"] != payment_guid.lower()]
    if len(remaining) == len(payments):
        raise invalid("paymentGuid", f"The payment {payment_guid} does not exist.")
    org.payments[record["Guid"]] = remaining
    record["TimeStamp"] = state.current().new_timestamp()
    record["UpdatedAt"] = state.iso(state.now())


def payments_model(org: Organization, record: dict[str, Any]) -> dict[str, Any]:
    paid = paid_amount(org, record)
    total = dec(record["TotalInclVat"])
    return {
        "Payments": org.payments.get(record["Guid"], []),
        "RemainingAmount": float(total - paid),
        "PaidAmount": float(paid),
        "InvoiceTotalIncludingReminderExpenses": float(total),
        "RemainderAsFeeAvailable": False,
    }


def delete_draft(record: dict[str, Any], timestamp: str | None) -> None:
    check_timestamp(record, timestamp)
    if record["Status"] != "Draft":
        raise rule_error("A booked voucher cannot be deleted; credit it instead.")
    record["DeletedAt"] = record["UpdatedAt"] = state.iso(state.now())


def record_mailout(
    org: Organization, record: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """Send (pretend to) the booked voucher by e-mail; returns ``EmailSentModel``."""
    check_timestamp(record, data.get("Timestamp"))
    if record["Status"] != "Booked":
        raise rule_error("Only a booked voucher can be e-mailed.")
    contact = org.contacts.get((record["ContactGuid"] or "").lower()) or {}
    receiver = data.get("Receiver") or contact.get("Email")
    if not receiver:
        raise invalid("Receiver", "The contact has no e-mail address; give a Receiver.")
    mailouts = record.setdefault("_mailouts", [])
    mailouts.append(
        {
            "Id": len(mailouts) + 1,
            "Date": state.iso(state.now()),
            "SeenAt": None,
            "Sender": data.get("Sender") or org.profile.get("Email"),
            "Receiver": receiver,
            "Subject": data.get("Subject") or f"{record['Description']} {record['Number']}",
            "Message": data.get("Message"),
            "DownloadCount": 0,
            "PrintCount": 0,
            "Type": "Email",
            "Status": "Sent",
            "LatestEvent": "Sent",
            "IsSmsMessage": False,
            "CCToSender": bool(data.get("CcToSender")),
        }
    )
    record["MailOutStatus"] = "Sent"
    record["LatestMailOutType"] = "Email"
    return {"Recipients": [{"Email": receiver}]}


def lines_as_input(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The voucher's lines as a create body would give them (to credit an invoice)."""
    return [dict(line) for line in record["_input_lines"]]
