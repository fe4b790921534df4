"""The identity each Dinero object gets from its Rackbeat source, so a retry finds it again."""

from __future__ import annotations

import uuid

# Fixed forever: changing it would make every future transfer look new to Dinero.
NAMESPACE = uuid.UUID("5b0c3b8e-4f51-4b7e-9a53-6a1f3c7d2e90")


def dinero_guid(connection_id: int, kind: str, source_key: str, identity_round: int = 0) -> str:
    """A deterministic client-chosen Guid (uuid5 of connection + kind + source key).

    ``identity_round`` counts how often the record was sent again after its voucher was deleted
    in Dinero: Dinero keeps a deleted voucher's Guid, so each round needs a Guid of its own."""
    suffix = f"#{identity_round}" if identity_round else ""
    return str(uuid.uuid5(NAMESPACE, f"{connection_id}:{kind}:{source_key}{suffix}"))


def external_reference(rackbeat_account_id: int, kind: str, source_key: str) -> str:
    """Written on every Dinero object we create; at most 128 characters, as Dinero allows."""
    return f"rackbeat:{rackbeat_account_id}:{kind}:{source_key}"[:128]
