"""The sandbox's in-memory state: organizations and their books, tokens, counters, knobs.

One ``Sandbox`` per app, kept in ``app.extensions["dinero_sandbox"]``; every read or write of
it happens under ``sandbox.lock``.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from sandbox.dinero.knobs import Knobs

VAT_TYPES: list[dict[str, Any]] = [
    {"VatCode": "U25", "Name": "Salgsmoms 25%", "VatRate": 0.25},
    {"VatCode": "I25", "Name": "Dansk købsmoms", "VatRate": 0.25},
    {"VatCode": "none", "Name": "Ingen moms", "VatRate": 0.0},
]
VAT_RATES = {vat["VatCode"]: Decimal(str(vat["VatRate"])) for vat in VAT_TYPES}
PURCHASE_VAT_CODES = {"I25"}


@dataclass
class Organization:
    id: int
    name: str
    api_key: str
    is_pro: bool
    profile: dict[str, Any]
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    deposit_accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    sales_credit_notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    purchase_vouchers: dict[str, dict[str, Any]] = field(default_factory=dict)
    purchase_credit_notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    manual_vouchers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The file archive: FileGuid -> {FileGuid, Name, Extension, Size, UploadedAt, _content, ...}
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The ledger in posting order (``ledger``): EntryReadModel dicts plus ``_created_at``.
    entries: list[dict[str, Any]] = field(default_factory=list)
    next_sales_number: int = 1
    next_voucher_number: int = 1

    def all_guids(self) -> set[str]:
        """Every guid in use, in any resource: a client-chosen guid must be new to all of them."""
        return {
            guid.lower()
            for table in (
                self.contacts,
                self.products,
                self.invoices,
                self.sales_credit_notes,
                self.purchase_vouchers,
                self.purchase_credit_notes,
                self.manual_vouchers,
            )
            for guid in table
        }

    def vat_rate_of(
        self, account_number: int | None, vat_code: str | None
    ) -> tuple[Decimal, str | None]:
        """The VAT rate that applies to a line: an explicit code wins over the account's default."""
        code = vat_code
        if code is None and account_number is not None:
            code = self.accounts.get(account_number, {}).get("VatCode")
        return VAT_RATES.get(code or "none", Decimal(0)), code

    def account_name(self, account_number: int) -> str | None:
        return self.accounts.get(account_number, {}).get("Name")


@dataclass
class Token:
    organization_id: int
    expires_at: float


@dataclass
class RateWindow:
    started_at: float
    count: int = 0
    rejections: int = 0


class Sandbox:
    def __init__(self, knobs: Knobs, client_id: str, client_secret: str) -> None:
        self.lock = threading.RLock()
        self.knobs = knobs
        self.client_id = client_id
        self.client_secret = client_secret
        self.organizations: dict[int, Organization] = {}
        self.tokens: dict[str, Token] = {}
        self.rate_windows: dict[int, RateWindow] = {}
        self.request_counts: Counter[tuple[str, str, str]] = Counter()
        self.rng = random.Random(knobs.seed)
        self._version = 0x20A5EA8

    def clear(self) -> None:
        """Forget all data, tokens and counters (the seed is loaded by ``seed.populate``)."""
        self.organizations.clear()
        self.tokens.clear()
        self.rate_windows.clear()
        self.request_counts.clear()
        self.rng = random.Random(self.knobs.seed)

    def new_timestamp(self) -> str:
        """A fresh entity version, like Dinero's ``"00000000020A5EA8"``."""
        self._version += 1
        return f"{self._version:016X}"

    def organization_by_key(self, api_key: str) -> Organization | None:
        return next((o for o in self.organizations.values() if o.api_key == api_key), None)


def current() -> Sandbox:
    return current_app.extensions["dinero_sandbox"]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_guid() -> str:
    return str(uuid.uuid4())
