"""Bookkeeping in the Dinero sandbox as a Dinero user would do it, over its HTTP API: contacts,
products, invoices and credit notes created, booked, paid and deleted."""

from __future__ import annotations

import dataclasses
import time
from datetime import date
from typing import Any

from flask import Flask

from rackdinero_app.clients.dinero import DineroClient
from rackdinero_app.extensions import rq
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import InvoiceDirection
from rackdinero_app.setup.store import save_settings
from rackdinero_app.transfers.context import load_settings

ORGANIZATION_ID = 400555
API_KEY = "demo-dinero-api-key"
# Seeded in the sandbox (sandbox/dinero/seed.py): helmet HJ-100 and lock LK-200, 25 % VAT.
HELMET = "e0000000-0000-4000-8000-000000000001"
LOCK = "e0000000-0000-4000-8000-000000000002"
ASSEMBLY = "e0000000-0000-4000-8000-000000000004"  # no product number
NORDISK = "c0000000-0000-4000-8000-000000000001"  # indkob@nordiskcykel.dk
JENSEN = "c0000000-0000-4000-8000-000000000002"  # no e-mail
# Dinero's 100 requests a minute would make these tests wait on the rate limit; they are about
# the import, so the app and the sandbox both allow more (the limit has its own tests).
UNHURRIED = {"DINERO_RATE_LIMIT": 100_000}


def unhurried(dinero_sandbox: Flask) -> None:
    with dinero_sandbox.test_client() as sandbox:
        response = sandbox.post("/_sandbox/knobs", json={"rate_limit": {"limit": 100_000}})
        assert response.status_code == 200, response.get_data(as_text=True)


def switch_to_dinero(connection: Connection) -> None:
    """Choose "created in Dinero" on the Sales page (saved and audited, so the import starts
    now), a second after the sandbox's demo books were written: those are older than the
    import, to the second Dinero keeps, and are not imported."""
    time.sleep(1.1)
    before = load_settings(connection.id)
    after = dataclasses.replace(before, invoice_direction=InvoiceDirection.DINERO_TO_RACKBEAT)
    save_settings(connection, before, after, "mette@demo-lager.dk", "sales")


def dinero(app: Flask) -> DineroClient:
    with app.app_context():
        return DineroClient.from_config(app.config, ORGANIZATION_ID, API_KEY, rq.redis)


def product_line(product: str, quantity: float, price: float, account: int = 1000) -> dict:
    return {
        "ProductGuid": product,
        "Quantity": quantity,
        "BaseAmountValue": price,
        "AccountNumber": account,
        "Discount": 0.0,
        "Unit": "parts",
        "LineType": "Product",
    }


def draft_invoice(client: DineroClient, contact: str = NORDISK, lines=None, **fields: Any) -> str:
    body = {
        "ContactGuid": contact,
        "Date": date.today().isoformat(),
        "ProductLines": lines or [product_line(HELMET, 2, 399.2)],
        **fields,
    }
    return str(client.create_invoice(body)["Guid"])


def booked_invoice(client: DineroClient, contact: str = NORDISK, lines=None, **fields: Any) -> str:
    guid = draft_invoice(client, contact, lines, **fields)
    client.book_invoice(guid, client.get_invoice(guid)["TimeStamp"])
    return guid


def booked_credit_note(client: DineroClient, invoice: str, lines=None) -> str:
    original = client.get_invoice(invoice)
    created = client.create_credit_note(
        {
            "ContactGuid": original["ContactGuid"],
            "CreditNoteFor": invoice,
            "Date": date.today().isoformat(),
            "ProductLines": lines or [product_line(HELMET, 1, 399.2)],
        }
    )
    guid = str(created["Guid"])
    client.book_credit_note(guid, client.get_credit_note(guid)["TimeStamp"])
    return guid


def pay_in_full(client: DineroClient, invoice: str) -> None:
    current = client.get_invoice(invoice)
    client.transport.call(
        "POST",
        "v1",
        f"invoices/{invoice}/payments",
        json={
            "Timestamp": current["TimeStamp"],
            "DepositAccountNumber": 55000,
            "Amount": float(current["TotalInclVat"]),
            "Description": "Betaling",
            "RemainderIsFee": False,
        },
    )


def delete_draft(client: DineroClient, invoice: str) -> None:
    client.delete_invoice(invoice, client.get_invoice(invoice)["TimeStamp"])


def contact(client: DineroClient, name: str, email: str | None, country: str = "DK") -> str:
    body = {"Name": name, "CountryKey": country, "IsPerson": False, "IsMember": False}
    body["UseCvr"] = False
    if email:
        body["Email"] = email
    return str(client.create_contact(body)["ContactGuid"])


def product(client: DineroClient, number: str | None, name: str, price: float) -> str:
    body = {
        "ProductNumber": number,
        "Name": name,
        "BaseAmountValue": price,
        "Quantity": 1.0,
        "AccountNumber": 1000,
        "Unit": "parts",
    }
    return str(client.create_product(body)["ProductGuid"])
