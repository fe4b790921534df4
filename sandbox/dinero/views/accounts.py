"""Chart of accounts (entry, purchase, deposit) and VAT types: bare arrays, not envelopes."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify
from flask import request

from sandbox.dinero import listing
from sandbox.dinero import state
from sandbox.dinero.errors import invalid
from sandbox.dinero.rules import check_vat_code
from sandbox.dinero.views.common import body
from sandbox.dinero.views.common import empty_ok
from sandbox.dinero.views.common import organization

bp = Blueprint("dinero_accounts", __name__)

PURCHASE_RANGE = range(2000, 9400)
DEPOSIT_RANGE = range(55000, 56000)


def _accounts(path: str, accounts: list[dict]):
    item, default_fields = listing.operation_items("GET", path)
    return jsonify(listing.projected(accounts, item, default_fields))


@bp.get("/v1/<organizationId>/accounts/entry")
def entry(organizationId: str):
    accounts = sorted(organization().accounts.values(), key=lambda a: a["AccountNumber"])
    category = request.args.get("categoryFilter", "").strip().lower()
    if category:
        accounts = [a for a in accounts if (a.get("Category") or "").lower() == category]
    return _accounts("/v1/{organizationId}/accounts/entry", accounts)


@bp.get("/v1/<organizationId>/accounts/purchase")
def purchase(organizationId: str):
    accounts = sorted(organization().accounts.values(), key=lambda a: a["AccountNumber"])
    accounts = [a for a in accounts if a["AccountNumber"] in PURCHASE_RANGE]
    return _accounts("/v1/{organizationId}/accounts/purchase", accounts)


@bp.get("/v1/<organizationId>/accounts/deposit")
def deposit(organizationId: str):
    accounts = sorted(organization().deposit_accounts.values(), key=lambda a: a["AccountNumber"])
    return _accounts("/v1/{organizationId}/accounts/deposit", accounts)


def _claim_number(number: int) -> None:
    if number in organization().accounts:
        raise invalid("Number", f"The account number {number} is already in use.")


@bp.post("/v1/<organizationId>/accounts/entry")
def create_entry(organizationId: str):
    data = body()
    check_vat_code("VatCode", data["VatCode"])
    _claim_number(data["Number"])
    organization().accounts[data["Number"]] = entry_account(
        data["Number"], data["Name"], None if data["VatCode"] == "none" else data["VatCode"]
    )
    return empty_ok()


@bp.post("/v1/<organizationId>/accounts/deposit")
def create_deposit(organizationId: str):
    data = body()
    if data["Number"] not in DEPOSIT_RANGE:
        raise invalid("Number", "Deposit accounts must be numbered 55000-55999.")
    _claim_number(data["Number"])
    org = organization()
    org.accounts[data["Number"]] = entry_account(
        data["Number"], data["Name"], None, category="Liquid Assets"
    )
    org.deposit_accounts[data["Number"]] = deposit_account(
        data["Number"],
        data["Name"],
        registration=data.get("RegistrationNumber"),
        account=data.get("AccountNumber"),
        swift=data.get("SwiftNumber"),
        iban=data.get("IbanNumber"),
    )
    return empty_ok()


@bp.get("/v1/<organizationId>/vatTypes")
def vat_types(organizationId: str):
    return jsonify(state.VAT_TYPES)


CATEGORY_NAMES = {
    "Turnover": "Omsætning",
    "Variable Expenses": "Variable omkostninger",
    "Sales Expenses": "Salgsomkostninger",
    "Administration Expenses": "Administrationsomkostninger",
    "Turnover Assets": "Omsætningsaktiver",
    "Liquid Assets": "Likvide beholdninger",
    "Equity": "Egenkapital",
    "Vat Due": "Moms",
    "Short Term Liabilities": "Kortfristet gæld",
}


def entry_account(
    number: int,
    name: str,
    vat_code: str | None,
    category: str = "Turnover",
    default_sales: bool = False,
) -> dict:
    return {
        "AccountNumber": number,
        "PublicStandardNumber": None,
        "Name": name,
        "VatCode": vat_code,
        "Category": category,
        "CategoryName": CATEGORY_NAMES.get(category, category),
        "IsHidden": False,
        "IsDefaultSalesAccount": default_sales,
    }


def deposit_account(
    number: int,
    name: str,
    is_default: bool = False,
    registration: str | None = None,
    account: str | None = None,
    swift: str | None = None,
    iban: str | None = None,
) -> dict:
    return {
        "AccountNumber": number,
        "PublicStandardNumber": None,
        "Name": name,
        "IsDefault": is_default,
        "IsHidden": False,
        "BankRegistrationNumber": registration,
        "BankAccountNumber": account,
        "BankSwiftNumber": swift,
        "BankIbanNumber": iban,
    }
