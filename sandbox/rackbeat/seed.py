"""Seed data: the demo account 12345 "Demo Lager ApS", a second account 23456, and new sign-ups;
``as_public_model`` is the variant with only what Rackbeat's public models show."""

from __future__ import annotations

from typing import Any

from sandbox.rackbeat.records import public_model
from sandbox.rackbeat.records.contacts import create_contact
from sandbox.rackbeat.records.invoices import CUSTOMER_INVOICES
from sandbox.rackbeat.records.invoices import SUPPLIER_INVOICES
from sandbox.rackbeat.records.invoices import create_invoice
from sandbox.rackbeat.records.products import create_product
from sandbox.rackbeat.store import Account
from sandbox.rackbeat.store import Store
from sandbox.rackbeat.store import User

DEMO_ACCOUNT_ID = 12345
DEMO_USER_ID = 7
SECOND_ACCOUNT_ID = 23456
SECOND_USER_ID = 8
FIRST_SIGNUP_ACCOUNT_ID = 30001
FIRST_SIGNUP_USER_ID = 101

PRODUCT_GROUPS = [
    {"number": 1, "name": "Finished goods", "has_inventory": True},
    {"number": 2, "name": "Services", "has_inventory": False},
    {"number": 3, "name": "Raw materials", "has_inventory": True},
]
# Rackbeat's units are free text per account; these need mapping to Dinero's fixed units.
UNITS = [(1, "stk"), (2, "pcs"), (3, "kg"), (4, "timer"), (5, "kasse")]
LAYOUTS = [(1, "Standard (dansk)"), (2, "Standard (English)")]
PAYMENT_TERMS = [(1, "Netto 8 dage", 8), (2, "Løbende måned + 30 dage", 30)]


def _contact(
    number: int, name: str, email: str, zone: str, country: str, currency: str, **extra: Any
) -> dict[str, Any]:
    return {
        "number": number,
        "company_name": name,
        "contact_email": email,
        "vat_zone": zone,
        "address_country": country,
        "currency": currency,
        **extra,
    }


DEMO_CUSTOMERS = [
    _contact(
        1,
        "Hansen Byg A/S",
        "bogholderi@hansenbyg.dk",
        "domestic",
        "DK",
        "DKK",
        company_vat="DK11223344",
        address_street="Byggevej 4",
        address_zipcode="8000",
        address_city="Aarhus C",
        layout_id=1,
        locale="da",
    ),
    _contact(
        2,
        "Jensen & Co ApS",
        "faktura@jensen-co.dk",
        "domestic",
        "DK",
        "DKK",
        company_vat="DK22334455",
        address_street="Havnegade 10",
        address_zipcode="5000",
        address_city="Odense C",
        layout_id=1,
        locale="da",
    ),
    _contact(
        3,
        "Müller Handels GmbH",
        "rechnung@mueller-handel.de",
        "eu",
        "DE",
        "EUR",
        company_vat="DE123456789",
        address_street="Hauptstraße 5",
        address_zipcode="20095",
        address_city="Hamburg",
        layout_id=2,
        locale="de",
    ),
    _contact(
        4,
        "Svensson Möbler AB",
        "faktura@svensson-mobler.se",
        "eu",
        "SE",
        "SEK",
        company_vat="SE556677889901",
        address_street="Storgatan 12",
        address_zipcode="41119",
        address_city="Göteborg",
        layout_id=2,
        locale="sv",
    ),
    _contact(
        5,
        "Acme Furniture Inc.",
        "ap@acme-furniture.com",
        "abroad",
        "US",
        "USD",
        address_street="100 Main Street",
        address_zipcode="10001",
        address_city="New York",
        layout_id=2,
        locale="en",
    ),
    _contact(
        6,
        "Nordfjord Interiør AS",
        "post@nordfjord-interior.no",
        "abroad",
        "NO",
        "NOK",
        company_vat="NO987654321",
        address_street="Fjordveien 3",
        address_zipcode="6770",
        address_city="Nordfjordeid",
        layout_id=2,
        locale="nb",
    ),
]

DEMO_SUPPLIERS = [
    _contact(
        1,
        "Dansk Træ A/S",
        "ordre@dansktrae.dk",
        "domestic",
        "DK",
        "DKK",
        company_vat="DK33445566",
        address_street="Skovvej 1",
        address_zipcode="7100",
        address_city="Vejle",
    ),
    _contact(
        2,
        "Holz Lieferant GmbH",
        "verkauf@holz-lieferant.de",
        "eu",
        "DE",
        "EUR",
        company_vat="DE987654321",
        address_street="Waldweg 7",
        address_zipcode="80331",
        address_city="München",
    ),
    _contact(
        3,
        "Göteborg Metall AB",
        "order@gbg-metall.se",
        "eu",
        "SE",
        "SEK",
        company_vat="SE556011223301",
        address_street="Industrivägen 9",
        address_zipcode="41705",
        address_city="Göteborg",
    ),
    _contact(
        4,
        "Pacific Supplies Inc.",
        "billing@pacific-supplies.com",
        "abroad",
        "US",
        "USD",
        address_street="1 Harbor Blvd",
        address_zipcode="94105",
        address_city="San Francisco",
    ),
    _contact(
        5,
        "Bergen Emballasje AS",
        "faktura@bergen-emballasje.no",
        "abroad",
        "NO",
        "NOK",
        address_street="Bryggen 2",
        address_zipcode="5003",
        address_city="Bergen",
    ),
]

DEMO_PRODUCTS = [
    {"number": "100", "name": "Egetræsbord", "group": 1, "unit": 1, "sales_price": 4995.0,
     "recommended_cost_price": 2400.0, "barcode": "5701234000100"},
    {"number": "101", "name": "Spisestol, eg", "group": 1, "unit": 1, "sales_price": 1295.0,
     "recommended_cost_price": 600.0},
    {"number": "CHAIR-OAK-01", "name": "Barstol, eg", "group": 1, "unit": 2,
     "sales_price": 1495.0, "recommended_cost_price": 700.0},
    {"number": "200", "name": "Montering", "group": 2, "unit": 4, "sales_price": 650.0,
     "recommended_cost_price": 0.0},
    {"number": "201", "name": "Fragt", "group": 2, "unit": 1, "sales_price": 395.0,
     "recommended_cost_price": 250.0},
    {"number": "300", "name": "Egetræ, planker", "group": 3, "unit": 3, "sales_price": 85.0,
     "recommended_cost_price": 42.5},
    {"number": "301", "name": "Skruer 4x40", "group": 3, "unit": 5, "sales_price": 129.0,
     "recommended_cost_price": 55.0},
]  # fmt: skip

# (party number, lines as (product, quantity, price or None for the default), booked)
DEMO_CUSTOMER_INVOICES = [
    (1, [("100", 2, None), ("200", 3, None)], True),
    (3, [("101", 4, 180.0), ("201", 1, 55.0)], True),
    (5, [("CHAIR-OAK-01", 6, 210.0), ("200", 2, 95.0)], True),
    (2, [("100", 1, None), ("201", 1, None)], False),
    (4, [("101", 8, 1900.0), ("200", 4, 900.0)], False),
    (6, [("CHAIR-OAK-01", 2, 2300.0), ("201", 1, 600.0)], False),
]
DEMO_SUPPLIER_INVOICES = [
    (1, [("300", 120, None), ("301", 10, None)], True),
    (2, [("300", 200, 5.5), ("201", 1, 40.0)], True),
    (4, [("301", 30, 8.0), ("200", 2, 60.0)], False),
    (3, [("300", 80, 6.0)], False),
]


def populate(store: Store) -> None:
    """Fill a freshly reset store with the two seeded accounts."""
    demo = Account(
        id=DEMO_ACCOUNT_ID,
        company_name="Demo Lager ApS",
        address_street="Lagervej 12",
        address_zipcode="5000",
        address_city="Odense C",
        address_country="DK",
        company_vat="DK12345678",
    )
    store.add_account(demo, User(DEMO_USER_ID, demo.id, "Mette Demo", "mette@demo-lager.dk", "da"))
    add_defaults(demo)
    for body in DEMO_CUSTOMERS:
        create_contact(store, demo, "customers", body, suppress=True)
    for body in DEMO_SUPPLIERS:
        create_contact(store, demo, "suppliers", body, suppress=True)
    for body in DEMO_PRODUCTS:
        product = create_product(store, demo, body, suppress=True)
        # Stock-weighted cost drifts from the recommended one, so the two fields differ.
        stored = demo.records["products"][product["number"]]
        stored["cost_price"] = round(stored["recommended_cost_price"] * 0.97, 2)
    _add_invoices(store, demo, CUSTOMER_INVOICES, DEMO_CUSTOMER_INVOICES)
    _add_invoices(store, demo, SUPPLIER_INVOICES, DEMO_SUPPLIER_INVOICES)

    second = Account(
        id=SECOND_ACCOUNT_ID,
        company_name="Anden Butik ApS",
        address_street="Torvet 3",
        address_zipcode="2100",
        address_city="København Ø",
        address_country="DK",
        company_vat="DK23456789",
    )
    user = User(SECOND_USER_ID, second.id, "Anders Anden", "anders@andenbutik.dk", "en")
    store.add_account(second, user)
    add_defaults(second)
    create_contact(
        store,
        second,
        "customers",
        _contact(1, "Lokal Kunde ApS", "kunde@lokal.dk", "domestic", "DK", "DKK"),
        suppress=True,
    )
    create_product(
        store,
        second,
        {"number": "A-1", "name": "Gavekort", "group": 2, "sales_price": 100.0},
        suppress=True,
    )
    _add_invoices(store, second, CUSTOMER_INVOICES, [(1, [("A-1", 5, None)], False)])


def add_defaults(account: Account) -> None:
    """What every new Rackbeat account starts with: groups, units, layouts, payment terms."""
    records = account.records
    for group in PRODUCT_GROUPS:
        records["product_groups"][group["number"]] = {**group, "is_draft": False}
    for number, name in UNITS:
        records["units"][number] = {"id": number, "number": number, "name": name, "is_draft": False}
    for number, name in LAYOUTS:
        records["layouts"][number] = {"id": number, "number": number, "name": name}
    for number, name, days in PAYMENT_TERMS:
        records["payment_terms"][number] = {"number": number, "name": name, "days": days}


def _add_invoices(store: Store, account: Account, kind: Any, rows: list[Any]) -> None:
    for party, lines, booked in rows:
        body = {
            kind.party_field: party,
            "lines": [
                {"child_id": product, "quantity": quantity}
                | ({} if price is None else {"line_price": price})
                for product, quantity, price in lines
            ],
        }
        create_invoice(store, account, kind, body, book=booked, suppress=True)


def as_public_model(account: Account) -> None:
    """The seed variant a real account may send: every invoice, product and contact as the
    public models show them (``records.public_model``: no ``total_vat``, ``invoice_date``,
    ``credited_invoice_id``, line ``unit_id``/``cost_price`` or product ``cost_price``;
    countries as names). Call it holding the store's lock; invoices created later keep the
    sandbox's full shape, and ``public_model.reshape_invoice`` makes them lose it too."""
    records = account.records
    for resource in ("customer_invoices", "supplier_invoices"):
        for invoice in records[resource].values():
            public_model.reshape_invoice(invoice)
    for product in records["products"].values():
        public_model.reshape_product(product)
    for resource in ("customers", "suppliers"):
        for contact in records[resource].values():
            public_model.reshape_contact(contact)


def sign_up(store: Store, company_name: str, user_name: str, email: str, locale: str) -> Account:
    """Create a brand-new account with one user, as Rackbeat's sign-up does."""
    with store.lock:
        account = Account(
            id=store.next_id("account", FIRST_SIGNUP_ACCOUNT_ID),
            company_name=company_name,
            address_street="",
            address_zipcode="",
            address_city="",
            address_country="DK",
            company_vat="",
        )
        user_id = store.next_id("user", FIRST_SIGNUP_USER_ID)
        store.add_account(account, User(user_id, account.id, user_name, email, locale))
        add_defaults(account)
        return account
