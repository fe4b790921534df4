"""Webhooks as the Rackbeat sandbox sends them by default (``{"key_name": "number", "key":
"2"}``, as observed in production), through the whole system: two changes of one customer are
two byte-identical notices, and Dinero ends with the second change."""

from __future__ import annotations

from rackdinero_app.models.enums import EntityKind
from rackdinero_app.models.enums import TransferState
from sandbox.rackbeat.records.contacts import update_contact
from tests.e2e.fault_helpers import ACCOUNT_ID
from tests.e2e.fault_helpers import active_stack
from tests.e2e.fault_helpers import dinero_records
from tests.e2e.fault_helpers import rackbeat_store
from tests.e2e.transfers_setup import wait_for_transfers

NAMES = ("Jensen & Søn ApS", "Jensen & Datter ApS")


def test_each_change_of_a_customer_reaches_dinero(app_config, tmp_path, redis):
    with active_stack(app_config, tmp_path) as (stack, _):
        store = rackbeat_store(stack)
        for count, name in enumerate(NAMES, start=1):
            with store.lock:
                account = store.account(ACCOUNT_ID)
                update_contact(store, account, "customers", 2, {"company_name": name})
            transfers = wait_for_transfers(count, timeout=30)

        reference = f"rackbeat:{ACCOUNT_ID}:{EntityKind.CUSTOMER}:2"
        [contact] = [
            c for c in dinero_records(stack, "contacts") if c["ExternalReference"] == reference
        ]
        assert NAMES[1] in contact["Name"]
        assert [(t.kind, t.source_key, t.state) for t in transfers] == [
            (EntityKind.CUSTOMER, "2", TransferState.SUCCEEDED)
        ] * 2
        deliveries = [
            entry for entry in store.outbox.logs() if entry["event"] == "customer.updated"
        ]
        assert [(d["payload"], d["status_code"]) for d in deliveries] == [
            ({"key_name": "number", "key": "2"}, 202)
        ] * 2
