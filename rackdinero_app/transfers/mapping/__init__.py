"""Pure mapping between Rackbeat records and Dinero request bodies (and, in ``from_dinero``,
Dinero's invoices back into Rackbeat bodies).

Plain dicts in (as Rackbeat's API returns them, plus the settings snapshot), plain dicts out
(JSON bodies matching Dinero's documented request schemas). No I/O. Money is ``Decimal`` until
the body is built, where it becomes a JSON number rounded to two decimals.
"""

from rackdinero_app.transfers.mapping.choices import dinero_unit_for
from rackdinero_app.transfers.mapping.choices import invoice_language_for
from rackdinero_app.transfers.mapping.choices import purchase_account_for
from rackdinero_app.transfers.mapping.choices import revenue_account_for
from rackdinero_app.transfers.mapping.choices import vat_zone_of
from rackdinero_app.transfers.mapping.contacts import contact_name
from rackdinero_app.transfers.mapping.contacts import contact_payload
from rackdinero_app.transfers.mapping.contacts import contact_update_payload
from rackdinero_app.transfers.mapping.from_dinero import dinero_voucher_of
from rackdinero_app.transfers.mapping.goods_consumption import goods_consumption_cost
from rackdinero_app.transfers.mapping.goods_consumption import goods_consumption_payload
from rackdinero_app.transfers.mapping.lines import product_numbers
from rackdinero_app.transfers.mapping.products import product_payload
from rackdinero_app.transfers.mapping.purchases import purchase_voucher_payload
from rackdinero_app.transfers.mapping.sales import InvoiceTotals
from rackdinero_app.transfers.mapping.sales import credit_note_payload
from rackdinero_app.transfers.mapping.sales import expected_credit_note_totals
from rackdinero_app.transfers.mapping.sales import expected_invoice_totals
from rackdinero_app.transfers.mapping.sales import invoice_payload
from rackdinero_app.transfers.mapping.sales import is_credit_note
from rackdinero_app.transfers.mapping.sales import totals_match

__all__ = [
    "InvoiceTotals",
    "contact_name",
    "contact_payload",
    "contact_update_payload",
    "credit_note_payload",
    "dinero_unit_for",
    "dinero_voucher_of",
    "expected_credit_note_totals",
    "expected_invoice_totals",
    "goods_consumption_cost",
    "goods_consumption_payload",
    "invoice_language_for",
    "invoice_payload",
    "is_credit_note",
    "product_numbers",
    "product_payload",
    "purchase_account_for",
    "purchase_voucher_payload",
    "revenue_account_for",
    "totals_match",
    "vat_zone_of",
]
