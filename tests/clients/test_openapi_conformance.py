"""Every operation of Dinero's OpenAPI subset, driven against the sandbox.

The operations the app uses go through ``DineroClient``; the others, which the client does not
offer, through its transport (``client.transport``), so the whole documented subset stays
checked and the client can offer them again without surprises.

A WSGI recorder in front of the sandbox keeps what the client sent and what the sandbox
answered. Each exchange is matched to its documented operation; the request body must match
the request schema, every query parameter must be documented, and the answer must match the
response schema. The test fails if any documented operation was not exercised.
"""

from __future__ import annotations

import copy
import io
import json
import re
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from jsonschema import Draft202012Validator
from jsonschema import FormatChecker

from rackdinero_app.clients.dinero import DineroClient
from sandbox import dinero as dinero_sandbox
from tests.servers import serve_app

pytestmark = pytest.mark.redis

SPEC = Path(dinero_sandbox.__file__).with_name("openapi-subset.json")
CLIENT_ID, CLIENT_SECRET = "rackdinero-test", "dinero-test-secret"
ORG, API_KEY = 400555, "demo-dinero-api-key"
CUSTOMER = "c0000000-0000-4000-8000-000000000001"
SUPPLIER = "c0000000-0000-4000-8000-000000000005"


@cache
def document() -> dict[str, Any]:
    return json.loads(SPEC.read_text(encoding="utf-8"))


def resolved(schema: Any) -> Any:
    """``schema`` with ``$ref``s inlined and OpenAPI ``nullable`` turned into a type array."""
    components = document()["components"]["schemas"]

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = components[node["$ref"].rsplit("/", 1)[-1]]
            return walk({**target, **{k: v for k, v in node.items() if k != "$ref"}})
        out = {key: walk(value) for key, value in node.items()}
        if out.pop("nullable", False) and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out

    return walk(copy.deepcopy(schema))


def operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in document()["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    }


def operation_for(method: str, path: str) -> tuple[str, str] | None:
    """The documented (METHOD, template) for a concrete path; literal segments win."""
    templates = sorted(
        (template for m, template in operations() if m == method),
        key=lambda template: template.count("{"),
    )
    for template in templates:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return method, template
    return None


class Recorder:
    """WSGI middleware keeping each request and its answer."""

    def __init__(self, app) -> None:
        self.app = app
        self.exchanges: list[dict[str, Any]] = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        status: list[str] = []
        headers: list[Any] = []

        def capture(status_line, response_headers, exc_info=None):
            status.append(status_line)
            headers.extend(response_headers)
            return start_response(status_line, response_headers, exc_info)

        answer = b"".join(self.app(environ, capture))
        self.exchanges.append(
            {
                "method": environ["REQUEST_METHOD"],
                "path": environ["PATH_INFO"],
                "query": parse_qs(environ.get("QUERY_STRING", "")),
                "body": body,
                "body_type": environ.get("CONTENT_TYPE", ""),
                "status": int(status[0].split()[0]),
                "content_type": dict(headers).get("Content-Type", ""),
                "answer": answer,
            }
        )
        return [answer]


@pytest.fixture
def recorder():
    app = dinero_sandbox.create_app({"CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET})
    return Recorder(app)


@pytest.fixture
def client(recorder, redis):
    with serve_app(recorder) as url:
        yield DineroClient(
            ORG,
            API_KEY,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            api_url=url,
            auth_url=url,
            redis=redis,
            rate_limit=10_000,
            rate_window=1.0,
        )


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def sales_body(guid: str | None = None) -> dict[str, Any]:
    body = {
        "ContactGuid": CUSTOMER,
        "Currency": "DKK",
        "Language": "da-DK",
        "Date": today(),
        "ProductLines": [
            {
                "Description": "Kontorstol",
                "Quantity": 2,
                "AccountNumber": 1000,
                "Unit": "parts",
                "Discount": 0,
                "LineType": "Product",
                "BaseAmountValue": 100.0,
            }
        ],
    }
    return {**body, "Guid": guid} if guid else body


def purchase_body() -> dict[str, Any]:
    return {
        "PurchaseType": "credit",
        "ContactGuid": SUPPLIER,
        "VoucherDate": today(),
        "PaymentDate": today(),
        "Lines": [
            {"AccountNumber": 2000, "Description": "Varekøb", "Amount": 125.0, "VatCode": "I25"}
        ],
    }


def manual_body() -> dict[str, Any]:
    return {
        "VoucherDate": today(),
        "Lines": [
            {
                "Description": "Vareforbrug",
                "AccountNumber": 2100,
                "BalancingAccountNumber": 5800,
                "Amount": 100.0,
                "AccountVatCode": "none",
                "BalancingAccountVatCode": "none",
            }
        ],
    }


def contact_body(name: str) -> dict[str, Any]:
    return {"Name": name, "CountryKey": "DK", "IsPerson": False, "IsMember": False, "UseCvr": True}


def product_body(name: str) -> dict[str, Any]:
    return {
        "Name": name,
        "AccountNumber": 1000,
        "BaseAmountValue": 50.0,
        "Quantity": 1,
        "Unit": "parts",
        "ProductNumber": name,
        "ExternalReference": f"rb:{name}",
    }


def mailout() -> dict[str, Any]:
    return {"ShouldAddTrustPilotEmailAsBcc": False, "Receiver": "kunde@example.dk"}


def payment(timestamp: str, deposit: int, amount: float) -> dict[str, Any]:
    return {
        "Timestamp": timestamp,
        "DepositAccountNumber": deposit,
        "Amount": amount,
        "Description": "Betaling",
        "RemainderIsFee": False,
        "PaymentDate": today(),
    }


def drive_every_operation(client: DineroClient) -> None:
    """One successful call of every documented operation, in an order the data allows."""
    wire = client.transport
    client.organizations()
    wire.call("GET", "v1.1", "organizations", organization=False)
    client.entry_accounts()
    wire.call(
        "POST",
        "v1",
        "accounts/entry",
        json={"Number": 3650, "Name": "Småanskaffelser", "VatCode": "I25"},
    )
    wire.call("GET", "v1", "accounts/purchase")
    deposit = wire.call("GET", "v1", "accounts/deposit")[0]["AccountNumber"]
    wire.call("POST", "v1", "accounts/deposit", json={"Number": 55050, "Name": "Kassekredit"})
    wire.call("GET", "v1", "vatTypes")

    list(wire.pages("v1", "contacts", {"deletedOnly": "false"}))
    list(client.iter_contacts(fields="ContactGuid,Name"))
    contact = client.create_contact({**contact_body("Ny Kunde"), "ContactGuid": str(uuid.uuid4())})
    guid = contact.contact_guid
    client.get_contact(guid)
    client.update_contact(guid, contact_body("Ny Kunde A/S"))
    wire.call("PUT", "v1", f"contacts/{guid}", json=contact_body("Ny Kunde ApS"))
    wire.call("DELETE", "v1", f"contacts/{guid}")
    wire.call("POST", "v1", f"contacts/{guid}/restore")

    list(client.iter_products())
    product = client.create_product(product_body("P-1")).product_guid
    client.get_product(product)
    client.update_product(product, product_body("P-1b"))
    wire.call("DELETE", "v1", f"products/{product}")

    client.fetch_invoice_totals(sales_body())
    created = client.create_invoice(sales_body(str(uuid.uuid4())))
    invoice = f"invoices/{created.guid}"
    updated = wire.call(
        "PUT", "v1.2", invoice, json={**sales_body(), "Timestamp": created.timestamp}
    )
    list(client.iter_invoices())
    client.get_invoice(created.guid)
    wire.call("GET", "v1", "invoices/templates")
    booked = client.book_invoice(created.guid, updated.timestamp)
    wire.call("POST", "v1", f"{invoice}/email", json=mailout())
    paid = wire.call(
        "POST", "v1", f"{invoice}/payments", json=payment(booked.timestamp, deposit, 50.0)
    )
    wire.call("DELETE", "v1", f"{invoice}/payments/{paid.guid}", json={"Timestamp": paid.timestamp})
    wire.call("GET", "v1", f"{invoice}/mailouts")
    current = client.get_invoice(created.guid)
    wire.call("POST", "v1", f"{invoice}/generate-creditnote", json={"Timestamp": current.timestamp})
    spare = client.create_invoice(sales_body())
    client.delete_invoice(spare.guid, spare.timestamp)

    list(client.iter_sales())
    wire.call("GET", "v1", "sales/settings")

    client.fetch_credit_note_totals(sales_body())
    note = client.create_credit_note({**sales_body(), "CreditNoteFor": created.guid})
    credit_note = f"sales/creditnotes/{note.guid}"
    list(client.iter_credit_notes())
    client.get_credit_note(note.guid)
    booked_note = client.book_credit_note(note.guid, note.timestamp)
    wire.call("GET", "v1", f"{credit_note}/email/template")
    wire.call("POST", "v1", f"{credit_note}/email", json=mailout())
    wire.send("GET", "v1", f"{credit_note}/pdf")
    wire.call("GET", "v1", f"{credit_note}/mailouts")
    refund = wire.call(
        "POST",
        "v1",
        f"{credit_note}/payments",
        json=payment(booked_note.timestamp, deposit, -50.0),
    )
    wire.call("GET", "v1", f"{credit_note}/payments")
    wire.call(
        "DELETE",
        "v1",
        f"{credit_note}/payments/{refund.guid}",
        json={"Timestamp": refund.timestamp},
    )
    spare_note = client.create_credit_note(sales_body())
    client.delete_credit_note(spare_note.guid, spare_note.timestamp)

    file_guid = client.upload_file("bilag-1.pdf", b"%PDF-1.4 conformance")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    assert [f.file_guid for f in client.iter_files(extensions="pdf", uploaded_after=yesterday)] == [
        file_guid
    ]
    assert client.download_file(file_guid) == b"%PDF-1.4 conformance"

    wire.call("POST", "v1", "vouchers/purchase/fetch", json=purchase_body())
    client.similar_purchase_vouchers(purchase_body())
    old = wire.call("POST", "v1.1", "vouchers/purchase", json=purchase_body())
    ours = {**purchase_body(), "FileGuid": file_guid, "ExternalReference": "rb:bilag-1"}
    voucher = client.create_purchase_voucher(ours)
    assert client.find_purchase_voucher(file_guid, "rb:bilag-1").guid == voucher.guid
    assert client.file_links(file_guid, uploaded_after=yesterday) == [voucher.guid]
    purchase = f"vouchers/purchase/{voucher.guid}"
    client.get_purchase_voucher(voucher.guid)
    changed = wire.call("PUT", "v1", purchase, json={**ours, "Timestamp": voucher.timestamp})
    changed = wire.call("PUT", "v1.1", purchase, json={**ours, "Timestamp": changed.timestamp})
    client.purchase_vouchers_for_file(str(uuid.uuid4()))
    booked_voucher = client.book_purchase_voucher(voucher.guid, changed.timestamp)
    # Documented shape: the timestamp is itself wrapped, {"Timestamp": {"Timestamp": ...}}.
    wire.call(
        "POST",
        "v1",
        f"{purchase}/generate-creditnote",
        json={"Timestamp": {"Timestamp": booked_voucher.timestamp}},
    )
    client.delete_purchase_voucher(old.guid, old.timestamp)

    purchase_note = {
        "CreditNoteFor": voucher.guid,
        "ContactGuid": SUPPLIER,
        "Date": today(),
        "Currency": "DKK",
        "Lines": purchase_body()["Lines"],
    }
    notes = "vouchers/purchase/creditnotes"
    pnote = wire.call("POST", "v1", notes, json=purchase_note)
    wire.call("GET", "v1", f"{notes}/{pnote.guid}")
    pnote = wire.call(
        "PUT", "v1", f"{notes}/{pnote.guid}", json={**purchase_note, "Timestamp": pnote.timestamp}
    )
    wire.call("POST", "v1", f"{notes}/{pnote.guid}/book", json={"Timestamp": pnote.timestamp})
    spare_pnote = wire.call("POST", "v1", notes, json=purchase_note)
    wire.call(
        "DELETE", "v1", f"{notes}/{spare_pnote.guid}", json={"Timestamp": spare_pnote.timestamp}
    )

    manual = client.create_manual_voucher(manual_body())
    client.get_manual_voucher(manual.guid)
    manual = wire.call(
        "PUT",
        "v1",
        f"vouchers/manuel/{manual.guid}",
        json={**manual_body(), "Timestamp": manual.timestamp},
    )
    client.book_manual_voucher(manual.guid, manual.timestamp)
    spare_manual = client.create_manual_voucher(manual_body())
    wire.call(
        "DELETE",
        "v1",
        f"vouchers/manuel/{spare_manual.guid}",
        json={"Timestamp": spare_manual.timestamp},
    )

    year = datetime.now(UTC).year
    assert client.entries(date(year, 1, 1), date(year, 12, 31), include_primo=True)
    moment = datetime.now(UTC)
    assert client.entry_changes(moment - timedelta(days=30), moment + timedelta(minutes=1))


def projected_schema(schema: dict[str, Any], answer: Any) -> dict[str, Any]:
    """For a ``fields`` projection: keys back to the documented casing, nothing required."""
    schema = copy.deepcopy(schema)
    item = (
        schema["items"]
        if schema.get("type") == "array"
        else (schema["properties"]["Collection"]["items"])
    )
    item.pop("required", None)
    by_lower = {name.lower(): name for name in item.get("properties", {})}
    items = answer if isinstance(answer, list) else answer.get("Collection") or []
    for element in items:
        for key in list(element):
            element[by_lower.get(key.lower(), key)] = element.pop(key)
    return schema


def problems_in(exchange: dict[str, Any], key: tuple[str, str]) -> list[str]:
    operation = operations()[key]
    label = f"{key[0]} {key[1]}"
    found: list[str] = []
    documented = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    undocumented = set(exchange["query"]) - documented
    if undocumented:
        found.append(f"{label}: undocumented query parameters {sorted(undocumented)}")
    bodies = operation.get("requestBody", {}).get("content", {})
    content = bodies.get("application/json")
    if exchange["body"] and "multipart/formdata" in bodies:
        # Documented (sic) as "multipart/formdata" with a part named "file".
        if not exchange["body_type"].startswith("multipart/form-data"):
            found.append(f"{label}: sent {exchange['body_type']}, not a multipart body")
        elif b'name="file"' not in exchange["body"]:
            found.append(f"{label}: sent no part named file")
    elif exchange["body"]:
        if content is None:
            found.append(f"{label}: sent a body the operation does not take")
        else:
            sent = json.loads(exchange["body"])
            checker = FormatChecker(formats=("uuid",))
            validator = Draft202012Validator(resolved(content["schema"]), format_checker=checker)
            found += [
                f"{label}: sent {e.json_path}: {e.message}" for e in validator.iter_errors(sent)
            ]
    elif content is not None and operation["requestBody"].get("required"):
        found.append(f"{label}: sent no body")
    documented_answer = operation["responses"].get("200", {}).get("content", {})
    if "json" in exchange["content_type"]:
        answer = json.loads(exchange["answer"])
        schema = resolved(documented_answer["application/json"]["schema"])
        defaults = {
            p["name"]
            for p in operation.get("parameters", [])
            if p.get("in") == "query" and "default" in p.get("schema", {})
        }
        if "fields" in exchange["query"] or "fields" in defaults:
            schema = projected_schema(schema, answer)
        errors = Draft202012Validator(schema).iter_errors(answer)
        found += [f"{label}: answered {e.json_path}: {e.message}" for e in errors]
    return found


def test_every_documented_operation_conforms(client, recorder):
    drive_every_operation(client)

    exercised: set[tuple[str, str]] = set()
    problems: list[str] = []
    for exchange in recorder.exchanges:
        key = operation_for(exchange["method"], exchange["path"])
        if key is None:
            assert exchange["path"] == "/dineroapi/oauth/token", exchange["path"]
            continue
        if exchange["status"] != 200:
            problems.append(
                f"{key[0]} {key[1]}: HTTP {exchange['status']} {exchange['answer'][:300]!r}"
            )
            continue
        exercised.add(key)
        problems += problems_in(exchange, key)

    assert problems == []
    assert sorted(set(operations()) - exercised) == []
