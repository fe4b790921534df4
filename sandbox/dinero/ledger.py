"""The ledger: the entries booking posts, as ``GET /entries`` and ``/entries/changes`` read them.

Every booked voucher posts balanced entries (``EntryReadModel``), rounded to øre, that sum to
0.00; deleting a booked purchase or manual voucher posts the same entries negated (new
EntryGuids, the voucher's date), so a voucher's entries then sum to 0.00 per account too.
Entries are kept in posting order with an internal ``_created_at`` (the sandbox clock) that
``/entries/changes`` selects on and no response shows.

Choices where the sources are silent (dinero.md, the OpenAPI ``EntryReadModel``):
- Accounts: the chart's ``Debitorer`` (56000), ``Kreditorer`` (63000), ``Salgsmoms`` (66200)
  and ``Købsmoms`` (66250), added to every seeded chart (``LEDGER_ACCOUNTS``). A cash purchase
  balances on its deposit account instead of the creditors.
- ``VoucherGuid`` of a purchase or manual voucher is the voucher's Guid (the model says it can
  fetch them); of an invoice or credit note it is a guid of its own, because "other voucher
  types are not individually fetchable" by it. Match those on ``VoucherType`` and
  ``VoucherNumber`` (the invoice's ``Number``).
- A manual voucher's VAT is posted from the line's ``AccountVatCode`` only; a
  ``BalancingAccountVatCode`` adds no VAT entry.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.dinero import state
from sandbox.dinero.money import cents
from sandbox.dinero.money import dec
from sandbox.dinero.state import PURCHASE_VAT_CODES
from sandbox.dinero.state import VAT_TYPES
from sandbox.dinero.state import Organization

DEBTORS, CREDITORS, OUTPUT_VAT, INPUT_VAT = 56000, 63000, 66200, 66250
# (number, name, category) of the accounts posting needs; ``seed`` adds them to every chart.
LEDGER_ACCOUNTS = (
    (DEBTORS, "Debitorer", "Turnover Assets"),
    (CREDITORS, "Kreditorer", "Short Term Liabilities"),
    (OUTPUT_VAT, "Salgsmoms", "Vat Due"),
    (INPUT_VAT, "Købsmoms", "Vat Due"),
)
VAT_NAMES = {vat["VatCode"]: vat["Name"] for vat in VAT_TYPES}
# Where primo entries come from: (account, amount) per organization, dated 1 January.
PRIMO_BALANCES = ((55000, Decimal("25000.00")), (CREDITORS, Decimal("-25000.00")))


class Posting:
    """The entries of one voucher, collected and then posted together."""

    def __init__(self, org: Organization, voucher: dict[str, Any]) -> None:
        self.org = org
        self.voucher = voucher
        self.entries: list[dict[str, Any]] = []

    def add(
        self,
        account: int,
        amount: Decimal,
        description: str | None,
        vat_code: str | None = None,
    ) -> None:
        if cents(amount) == 0:
            return
        code = None if vat_code in (None, "none") else vat_code
        self.entries.append(
            {
                "AccountNumber": account,
                "AccountName": self.org.account_name(account),
                "Description": description,
                "VatType": VAT_NAMES.get(code) if code else None,
                "VatCode": code,
                "Amount": cents(amount),
                **self.voucher,
            }
        )

    def balance(self, account: int, description: str | None) -> None:
        """Close the voucher on ``account`` with whatever makes it sum to 0.00."""
        self.add(account, -sum((e["Amount"] for e in self.entries), Decimal(0)), description)

    def post(self) -> None:
        moment = state.now()
        for entry in self.entries:
            _append(self.org, entry, moment)


def _append(org: Organization, entry: dict[str, Any], moment: Any) -> None:
    org.entries.append(
        {
            "AccountNumber": entry["AccountNumber"],
            "AccountName": entry["AccountName"],
            "Date": entry["Date"],
            "VoucherNumber": entry["VoucherNumber"],
            "VoucherGuid": entry["VoucherGuid"],
            "FileGuid": entry["FileGuid"],
            "VoucherType": entry["VoucherType"],
            "Description": entry["Description"],
            "VatType": entry["VatType"],
            "VatCode": entry["VatCode"],
            "Amount": float(entry["Amount"]),
            "EntryGuid": str(uuid.uuid4()),
            "ContactGuid": entry["ContactGuid"],
            "Type": entry.get("Type", "Normal"),
            "_created_at": moment,
        }
    )


def _voucher(
    voucher_type: str, guid: str, number: int, day: str, contact: str | None, file: str | None
) -> dict[str, Any]:
    return {
        "Date": day[:10],
        "VoucherNumber": number,
        "VoucherGuid": guid,
        "FileGuid": file,
        "VoucherType": voucher_type,
        "ContactGuid": contact,
    }


def post_purchase_voucher(org: Organization, record: dict[str, Any]) -> None:
    """Each line's account excl. VAT, the input VAT, the creditors (or the deposit account of
    a cash purchase) with minus the total incl. VAT."""
    posting = Posting(
        org,
        _voucher(
            "Purchases",
            record["Guid"],
            record["VoucherNumber"],
            record["VoucherDate"],
            record["ContactGuid"],
            record["FileGuid"],
        ),
    )
    vat = Decimal(0)
    for line in record["Lines"]:
        posting.add(
            line["AccountNumber"],
            dec(line["AmountExclVatValue"]),
            line["Description"],
            line["VatCode"],
        )
        vat += dec(line["VatAmountValue"])
    posting.add(INPUT_VAT, vat, f"Købsmoms, bilag {record['VoucherNumber']}")
    balancing = record["DepositAccountNumber"] if record["PurchaseType"] == "cash" else CREDITORS
    posting.balance(balancing, f"Køb, bilag {record['VoucherNumber']}")
    posting.post()


def post_sales_voucher(org: Organization, record: dict[str, Any]) -> None:
    """Revenue lines and output VAT credited, the debtors debited (a credit note: reversed)."""
    sign = Decimal(-1) if record["Type"] == "Invoice" else Decimal(1)
    record["_voucher_guid"] = record.get("_voucher_guid") or str(uuid.uuid4())
    posting = Posting(
        org,
        _voucher(
            record["Type"],
            record["_voucher_guid"],
            record["Number"],
            record["Date"],
            record["ContactGuid"],
            None,
        ),
    )
    for line in record["ProductLines"]:
        if line["LineType"] == "Text":
            continue
        _, code = org.vat_rate_of(line["AccountNumber"], None)
        posting.add(
            line["AccountNumber"], sign * dec(line["TotalAmount"]), line["Description"], code
        )
    description = f"{record['Description']} {record['Number']}"
    posting.add(OUTPUT_VAT, sign * dec(record["TotalVat"]), description)
    posting.balance(DEBTORS, description)
    posting.post()


def post_manual_voucher(org: Organization, record: dict[str, Any]) -> None:
    """Each line on its account (excl. VAT) and VAT account, its balancing account with minus
    the amount incl. VAT."""
    posting = Posting(
        org,
        _voucher(
            "ManualVoucher",
            record["Guid"],
            record["VoucherNumber"],
            record["VoucherDate"],
            None,
            record["FileGuid"],
        ),
    )
    for line in record["Lines"]:
        code = line["AccountVatCode"]
        excl, vat = dec(line["AmountExclVatValue"]), dec(line["VatAmountValue"])
        posting.add(line["AccountNumber"], excl, line["Description"], code)
        vat_account = INPUT_VAT if code in PURCHASE_VAT_CODES else OUTPUT_VAT
        posting.add(vat_account, vat, line["Description"])
        posting.add(line["BalancingAccountNumber"], -(excl + vat), line["Description"])
    posting.post()


def post_offset(org: Organization, voucher_guid: str) -> None:
    """Negate every entry the voucher has posted: same voucher and date, new EntryGuids."""
    moment = state.now()
    for entry in [e for e in org.entries if e["VoucherGuid"] == voucher_guid]:
        _append(org, {**entry, "Amount": -dec(entry["Amount"])}, moment)


def post_primo(org: Organization, year: int) -> None:
    """Opening balances on 1 January: ``Type`` Primo, no voucher, one guid per account and
    year (the OpenAPI: "the guid of a primo entry will be the same for an accounting year")."""
    moment = state.now()
    for account, amount in PRIMO_BALANCES:
        org.entries.append(
            {
                "AccountNumber": account,
                "AccountName": org.account_name(account),
                "Date": date(year, 1, 1).isoformat(),
                "VoucherNumber": None,
                "VoucherGuid": None,
                "FileGuid": None,
                "VoucherType": None,
                "Description": "Primo",
                "VatType": None,
                "VatCode": None,
                "Amount": float(amount),
                "EntryGuid": str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"primo/{org.id}/{year}/{account}")
                ),
                "ContactGuid": None,
                "Type": "Primo",
                "_created_at": moment,
            }
        )
