"""Demo data, loaded at start and on ``POST /_sandbox/reset``.

Organization 400555 "Demo Lager ApS" (Pro, API key ``demo-dinero-api-key``) has a Danish chart
of accounts, contacts, products and a few invoices and vouchers; 400556 "Starter ApS" (not
Pro, API key ``demo-starter-api-key``) has a tiny chart. Guids are fixed so demos can link them.
"""

from __future__ import annotations

from sandbox.dinero import ledger
from sandbox.dinero import sales
from sandbox.dinero import state
from sandbox.dinero import vouchers
from sandbox.dinero.state import Organization
from sandbox.dinero.state import Sandbox
from sandbox.dinero.views.accounts import deposit_account
from sandbox.dinero.views.accounts import entry_account
from sandbox.dinero.views.contacts import create_contact
from sandbox.dinero.views.products import create_product

DEMO_ORGANIZATION_ID = 400555
STARTER_ORGANIZATION_ID = 400556

CONTACT = {
    "nordisk": "c0000000-0000-4000-8000-000000000001",
    "jensen": "c0000000-0000-4000-8000-000000000002",
    "berliner": "c0000000-0000-4000-8000-000000000003",
    "oslo": "c0000000-0000-4000-8000-000000000004",
    "grossist": "c0000000-0000-4000-8000-000000000005",
    "shenzhen": "c0000000-0000-4000-8000-000000000006",
    "hansen": "c0000000-0000-4000-8000-000000000007",
}


def populate(sandbox: Sandbox) -> None:
    """Replace all state with the demo data."""
    with sandbox.lock:
        sandbox.clear()
        sandbox.organizations[DEMO_ORGANIZATION_ID] = _demo_organization()
        sandbox.organizations[STARTER_ORGANIZATION_ID] = _starter_organization()
        for org in sandbox.organizations.values():
            ledger.post_primo(org, state.now().year)
        _demo_books(sandbox.organizations[DEMO_ORGANIZATION_ID])


def _profile(email: str, street: str, zip_code: str, city: str, vat_number: str) -> dict:
    return {
        "Type": "Company",
        "IsVatFree": False,
        "IsTaxFreeUnion": False,
        "Email": email,
        "Phone": "+45 70 20 30 40",
        "Street": street,
        "City": city,
        "ZipCode": zip_code,
        "AttPerson": None,
        "VatNumber": vat_number,
        "CountryKey": "DK",
        "Website": None,
    }


def _demo_organization() -> Organization:
    org = Organization(
        id=DEMO_ORGANIZATION_ID,
        name="Demo Lager ApS",
        api_key="demo-dinero-api-key",
        is_pro=True,
        profile=_profile(
            "bogholderi@demolager.dk", "Lagervej 12", "2600", "Glostrup", "DK31415926"
        ),
    )
    chart = [
        entry_account(1000, "Salg af varer", "U25", default_sales=True),
        entry_account(1100, "Salg af varer EU", None),
        entry_account(1200, "Salg af varer udland", None),
        entry_account(1300, "Salg af ydelser", "U25"),
        entry_account(1310, "Salg af ydelser EU", None),
        entry_account(2000, "Varekøb", "I25", category="Variable Expenses"),
        entry_account(2050, "Varekøb EU", None, category="Variable Expenses"),
        entry_account(2100, "Vareforbrug", None, category="Variable Expenses"),
        entry_account(2150, "Varekøb udland", None, category="Variable Expenses"),
        entry_account(2200, "Fragt ind", "I25", category="Variable Expenses"),
        entry_account(3600, "Kontorartikler", "I25", category="Administration Expenses"),
        entry_account(4000, "Porto og fragt", "I25", category="Sales Expenses"),
        entry_account(5800, "Varelager", None, category="Turnover Assets"),
        entry_account(55000, "Bank", None, category="Liquid Assets"),
        entry_account(55010, "Kasse", None, category="Liquid Assets"),
        entry_account(55020, "MobilePay", None, category="Liquid Assets"),
    ]
    org.accounts = {a["AccountNumber"]: a for a in chart + _ledger_accounts()}
    deposits = [
        deposit_account(55000, "Bank", is_default=True, registration="1234", account="0012345678"),
        deposit_account(55010, "Kasse"),
        deposit_account(55020, "MobilePay"),
    ]
    org.deposit_accounts = {d["AccountNumber"]: d for d in deposits}
    return org


def _ledger_accounts() -> list[dict]:
    """The debtors, creditors and VAT accounts booking posts to (``ledger``)."""
    return [
        entry_account(number, name, None, category=category)
        for number, name, category in ledger.LEDGER_ACCOUNTS
    ]


def _starter_organization() -> Organization:
    org = Organization(
        id=STARTER_ORGANIZATION_ID,
        name="Starter ApS",
        api_key="demo-starter-api-key",
        is_pro=False,
        profile=_profile("info@starter.dk", "Startvej 1", "8000", "Aarhus C", "DK27182818"),
    )
    chart = [
        entry_account(1000, "Salg af varer", "U25", default_sales=True),
        entry_account(2000, "Varekøb", "I25", category="Variable Expenses"),
        entry_account(55000, "Bank", None, category="Liquid Assets"),
    ]
    org.accounts = {a["AccountNumber"]: a for a in chart + _ledger_accounts()}
    org.deposit_accounts = {55000: deposit_account(55000, "Bank", is_default=True)}
    return org


def _contact(org: Organization, key: str, name: str, country: str, **fields) -> None:
    debtor = fields.pop("debtor", False)
    creditor = fields.pop("creditor", False)
    data = {
        "ContactGuid": CONTACT[key],
        "Name": name,
        "CountryKey": country,
        "IsPerson": fields.pop("IsPerson", False),
        "IsMember": False,
        "UseCvr": country == "DK",
        **fields,
    }
    create_contact(org, data, debtor=debtor, creditor=creditor)


def _demo_books(org: Organization) -> None:
    _contact(
        org,
        "nordisk",
        "Nordisk Cykel A/S",
        "DK",
        Email="indkob@nordiskcykel.dk",
        Street="Cykelgade 4",
        ZipCode="8000",
        City="Aarhus C",
        VatNumber="DK12345678",
        ExternalReference="rb-customer-1001",
        debtor=True,
    )
    _contact(
        org,
        "jensen",
        "Jensen Byg ApS",
        "DK",
        Street="Byggevej 9",
        ZipCode="5000",
        City="Odense C",
        VatNumber="DK87654321",
        ExternalReference="rb-customer-1002",
        debtor=True,
    )
    _contact(
        org,
        "berliner",
        "Berliner Fahrrad GmbH",
        "DE",
        Email="einkauf@berliner-fahrrad.de",
        Street="Radweg 1",
        ZipCode="10115",
        City="Berlin",
        VatNumber="DE123456789",
        debtor=True,
    )
    _contact(
        org, "oslo", "Oslo Sykkel AS", "NO", Email="post@oslosykkel.no", City="Oslo", debtor=True
    )
    _contact(
        org,
        "grossist",
        "Grossist Danmark A/S",
        "DK",
        Email="ordre@grossist.dk",
        Street="Engrosvej 20",
        ZipCode="2605",
        City="Brøndby",
        VatNumber="DK11223344",
        ExternalReference="rb-supplier-2001",
        creditor=True,
    )
    _contact(org, "shenzhen", "Shenzhen Parts Ltd.", "CN", City="Shenzhen", creditor=True)
    _contact(
        org,
        "hansen",
        "Peter Hansen",
        "DK",
        IsPerson=True,
        Email="peter@hansen.dk",
        Street="Skovvej 3",
        ZipCode="4000",
        City="Roskilde",
        debtor=True,
    )

    products = [
        {
            "ProductNumber": "HJ-100",
            "Name": "Cykelhjelm",
            "BaseAmountValue": 399.2,
            "Unit": "parts",
        },
        {"ProductNumber": "LK-200", "Name": "Cykellås", "BaseAmountValue": 159.2, "Unit": "parts"},
        {"ProductNumber": "KD-300", "Name": "Kæde", "BaseAmountValue": 79.2, "Unit": "parts"},
        {
            "ProductNumber": None,
            "Name": "Montering",
            "BaseAmountValue": 480.0,
            "Unit": "hours",
            "AccountNumber": 1300,
        },
        {"ProductNumber": None, "Name": "Fragt", "BaseAmountValue": 60.0, "Unit": "shipment"},
    ]
    for number, product in enumerate(products, start=1):
        guid = f"e0000000-0000-4000-8000-{number:012d}"
        create_product(org, {"AccountNumber": 1000, "Quantity": 1.0, **product}, guid)

    def line(description: str, price: float, quantity: float, account: int = 1000) -> dict:
        return {
            "Description": description,
            "BaseAmountValue": price,
            "Quantity": quantity,
            "AccountNumber": account,
            "Discount": 0.0,
            "Unit": "parts",
        }

    invoices = [
        (
            "a0000000-0000-4000-8000-000000000001",
            CONTACT["nordisk"],
            "2026-10-02",
            [line("Cykelhjelm", 399.2, 10), line("Cykellås", 159.2, 5)],
            True,
        ),
        (
            "a0000000-0000-4000-8000-000000000002",
            CONTACT["berliner"],
            "2026-10-15",
            [line("Kæde", 79.2, 40, account=1100)],
            True,
        ),
        (
            "a0000000-0000-4000-8000-000000000003",
            CONTACT["jensen"],
            "2026-11-20",
            [line("Cykelhjelm", 399.2, 2)],
            False,
        ),
    ]
    for guid, contact, issued, lines, booked in invoices:
        data = {"ContactGuid": contact, "Date": issued, "ProductLines": lines}
        record = sales.store(org, sales.build(org, data, sales.INVOICE, guid))
        if booked:
            sales.book(org, record, {"Timestamp": record["TimeStamp"]})

    purchase = vouchers.store(
        org.purchase_vouchers,
        vouchers.build_purchase_voucher(
            org,
            {
                "PurchaseType": "credit",
                "ContactGuid": CONTACT["grossist"],
                "VoucherDate": "2026-10-01",
                "PaymentDate": "2026-10-31",
                "ExternalReference": "rb-supplier-invoice-5001",
                "Lines": [
                    {"AccountNumber": 2000, "Description": "Varekøb oktober", "Amount": 12500.0}
                ],
            },
            "b0000000-0000-4000-8000-000000000001",
        ),
    )
    vouchers.book_purchase_voucher(org, purchase, {"Timestamp": purchase["Timestamp"]})
    vouchers.store(
        org.manual_vouchers,
        vouchers.build_manual_voucher(
            org,
            {
                "VoucherDate": "2026-10-31",
                "ExternalReference": "rb-stock-2026-10",
                "Lines": [
                    {
                        "Description": "Vareforbrug oktober",
                        "AccountNumber": 2100,
                        "BalancingAccountNumber": 5800,
                        "Amount": 8000.0,
                        "AccountVatCode": "none",
                        "BalancingAccountVatCode": "none",
                    }
                ],
            },
            "d0000000-0000-4000-8000-000000000001",
        ),
    )
