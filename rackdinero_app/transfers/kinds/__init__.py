"""One module per kind of transfer, mirroring ``transfers/mapping/``: read from Rackbeat, map
(pure), write to Dinero once; ``from_dinero`` does the same the other way, for the hourly
invoice import (C5).

Every Dinero object gets an identity derived from its Rackbeat source (a client-chosen Guid
where Dinero accepts one, an ExternalReference everywhere). On a retry a handler looks the
object up by that identity before writing again, so a write whose answer was lost (a timeout
after Dinero committed) is never repeated.
"""

from __future__ import annotations

from collections.abc import Callable

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferDirection
from rackdinero_app.transfers.context import TransferJob
from rackdinero_app.transfers.kinds.contacts import transfer_contact
from rackdinero_app.transfers.kinds.from_dinero import import_sales_voucher
from rackdinero_app.transfers.kinds.goods_consumption import transfer_goods_consumption
from rackdinero_app.transfers.kinds.products import transfer_product
from rackdinero_app.transfers.kinds.purchases import transfer_supplier_invoice
from rackdinero_app.transfers.kinds.sales import transfer_customer_invoice
from rackdinero_app.transfers.outcome import Outcome

Handler = Callable[[TransferJob], Outcome]

# Rackbeat → Dinero, by the kind of the Rackbeat record.
HANDLERS: dict[EntityKind, Handler] = {
    EntityKind.CUSTOMER: transfer_contact,
    EntityKind.SUPPLIER: transfer_contact,
    EntityKind.PRODUCT: transfer_product,
    EntityKind.CUSTOMER_INVOICE: transfer_customer_invoice,
    EntityKind.GOODS_CONSUMPTION: transfer_goods_consumption,
    EntityKind.SUPPLIER_INVOICE: transfer_supplier_invoice,
}
# Dinero → Rackbeat (C5's second direction), by the kind of the Dinero record.
FROM_DINERO: dict[EntityKind, Handler] = {
    EntityKind.CUSTOMER_INVOICE: import_sales_voucher,
    EntityKind.CREDIT_NOTE: import_sales_voucher,
}


def handler_for(kind: EntityKind, direction: TransferDirection) -> Handler:
    registry = HANDLERS if direction == TransferDirection.RACKBEAT_TO_DINERO else FROM_DINERO
    return registry[kind]
