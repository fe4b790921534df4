"""What a dry run (PV1) shows, and its lines explained one by one: product, group, VAT
zone, the account the matrix chose (or the setting that is missing), the unit, the amounts.

Each line is explained with the mapping's own lookups (``mapping.choices``, ``mapping.lines``),
one at a time, so a line whose account or unit is not mapped still shows everything else with
the missing piece marked. Once the payload could be built, ``overlay_*`` puts what Dinero
receives on each line, so the page shows the payload itself rather than a second computation.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from rackdinero_app.models import EntityLink
from rackdinero_app.models.enums import DineroLanguage
from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import VatZone
from rackdinero_app.settings.snapshot import SettingsSnapshot
from rackdinero_app.transfers.errors import InvalidSourceRecord
from rackdinero_app.transfers.errors import MissingMapping
from rackdinero_app.transfers.mapping.choices import dinero_unit_for
from rackdinero_app.transfers.mapping.choices import purchase_account_for
from rackdinero_app.transfers.mapping.choices import revenue_account_for
from rackdinero_app.transfers.mapping.lines import line_discount
from rackdinero_app.transfers.mapping.lines import line_label
from rackdinero_app.transfers.mapping.lines import line_price
from rackdinero_app.transfers.mapping.lines import line_product
from rackdinero_app.transfers.mapping.lines import line_quantity
from rackdinero_app.transfers.mapping.lines import line_unit
from rackdinero_app.transfers.mapping.sales import InvoiceTotals
from rackdinero_app.transfers.mapping.values import HUNDRED
from rackdinero_app.transfers.mapping.values import cents
from rackdinero_app.transfers.mapping.values import key
from rackdinero_app.transfers.mapping.values import text
from rackdinero_app.transfers.messages import Message


@dataclass
class PreviewLine:
    """One invoice line as it would be booked; ``problems`` are what stops it (each a
    catalogue message naming its fix)."""

    position: int
    description: str | None = None
    product_number: str | None = None
    group: str | None = None
    group_name: str | None = None
    zone: VatZone | None = None
    account: int | None = None
    unit: str | None = None
    unit_name: str | None = None
    dinero_unit: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount: Decimal | None = None
    total: Decimal | None = None  # excl. VAT, after the discount
    amount_incl_vat: Decimal | None = None  # purchase vouchers: what Dinero receives
    problems: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class LineChoices:
    """What explaining a line needs: the settings, the contact's zone, the records read."""

    settings: SettingsSnapshot
    zone: VatZone | None
    products: Mapping[str, Mapping[str, Any]]
    group_names: Mapping[str, str]
    unit_names: Mapping[str, str]
    sales: bool
    sign: int = 1  # -1 for a credit note: Dinero receives positive quantities


@dataclass
class Contact:
    """The customer or supplier: its Dinero contact if the app linked one, else the name
    the contact the transfer creates gets."""

    number: str
    name: str | None = None
    dinero_guid: str | None = None


@dataclass
class Preview:
    kind: EntityKind  # what was asked for: a sales or a supplier invoice
    number: str
    document: EntityKind | None = None  # once read: invoice, credit note or supplier invoice
    found: bool = False
    contact: Contact | None = None
    zone: VatZone | None = None
    date: str | None = None
    currency: str | None = None
    language: DineroLanguage | None = None
    layout: str | None = None  # the Rackbeat layout that chose the language, if any
    due_date: str | None = None
    payment_days: int | None = None
    credits: str | None = None  # the invoice a credit note credits
    lines: list[PreviewLine] = field(default_factory=list)
    totals: InvoiceTotals | None = None
    rackbeat_totals: InvoiceTotals | None = None
    totals_agree: bool | None = None
    blockers: list[Message] = field(default_factory=list)
    existing: EntityLink | None = None  # already in Dinero: a transfer creates nothing
    error: Message | None = None  # Rackbeat or Dinero could not be read
    payload: dict[str, Any] | None = None

    @property
    def totals_by_dinero(self) -> bool:
        """Sales totals are Dinero's (its fetch); a purchase voucher's the app's own."""
        return self.kind == EntityKind.CUSTOMER_INVOICE

    def block(self, *messages: Message) -> None:
        """Keep each reason once, in the order found."""
        for message in messages:
            if all(message.text != kept.text for kept in self.blockers):
                self.blockers.append(message)


def explain_lines(invoice: Mapping[str, Any], document: Message, choices: LineChoices) -> list:
    return [
        _explain(line, index, document, choices)
        for index, line in enumerate(invoice.get("lines") or [])
    ]


def _explain(line, index: int, document: Message, c: LineChoices) -> PreviewLine:
    out = PreviewLine(index + 1, text(line.get("name")), text(line.get("child_id")), zone=c.zone)
    out.quantity = _attempt(out, line_quantity, line, index, document)
    out.unit_price = _attempt(out, line_price, line, index, document)
    out.discount = _attempt(out, line_discount, line, index, document)
    if None not in (out.quantity, out.unit_price, out.discount):
        out.quantity = c.sign * out.quantity
        out.total = cents(out.quantity * out.unit_price * (1 - out.discount / HUNDRED))
    product = _attempt(out, line_product, line, index, document, c.products)
    if product is None:
        return out
    out.description = out.description or text(product.get("name"))
    group = product.get("group")
    out.group, out.group_name = _named(group, c.group_names)
    if c.zone is not None:
        lookup = revenue_account_for if c.sales else purchase_account_for
        out.account = _attempt(out, lookup, c.settings, group, c.zone, c.group_names)
    if c.sales:
        _explain_unit(out, line, index, product, document, c)
    return out


def _explain_unit(out: PreviewLine, line, index, product, document, c: LineChoices) -> None:
    unit = line_unit(line, product)
    if unit is None:
        label = line_label(line, index)
        out.problems.append(Message.of("line_without_unit", document=document, line=label))
        return
    out.unit, out.unit_name = _named(unit, c.unit_names)
    chosen = _attempt(out, dinero_unit_for, c.settings, unit, c.unit_names)
    out.dinero_unit = None if chosen is None else str(chosen)


def _named(value: Any, names: Mapping[str, str]) -> tuple[str | None, str | None]:
    """A group's or unit's number and name (a nested record may carry its own name)."""
    if value is None or key(value) == "":
        return None, None
    name = names.get(key(value))
    if not name and isinstance(value, Mapping):
        name = text(value.get("name"))
    return key(value), name


def _attempt(out: PreviewLine, lookup: Callable, *args: Any) -> Any:
    """``lookup(*args)``, or None with its fix kept as one of the line's problems."""
    try:
        return lookup(*args)
    except MissingMapping as error:
        out.problems.extend(error.fixes)
    except InvalidSourceRecord as error:
        out.problems.append(error.explanation)
    return None


def overlay_sales(lines: list[PreviewLine], payload: Mapping[str, Any]) -> None:
    """Put what Dinero receives on each line (one ProductLine per Rackbeat line, in order)."""
    for line, sent in zip(lines, payload["ProductLines"], strict=True):
        line.description = sent["Description"] or sent.get("Comments") or line.description
        line.quantity = Decimal(str(sent["Quantity"]))
        line.unit_price = Decimal(str(sent["BaseAmountValue"]))
        line.discount = Decimal(str(sent["Discount"]))
        line.account = sent["AccountNumber"]
        line.dinero_unit = sent["Unit"]


def overlay_purchase(lines: list[PreviewLine], payload: Mapping[str, Any]) -> None:
    """Put what Dinero receives on each line of a purchase voucher."""
    for line, sent in zip(lines, payload["Lines"], strict=True):
        line.description = sent["Description"]
        line.account = sent["AccountNumber"]
        line.amount_incl_vat = Decimal(str(sent["Amount"]))
