"""The identity each Dinero object gets from its Rackbeat source, so a retry finds it again."""

from __future__ import annotations

import uuid

# Fixed forever: changing it would make every future transfer look new to Dinero.
NAMESPACE = uuid.UUID("5b0c3b8e-4f51-4b7e-9a53-6a1f3c7d2e90")


def dinero_guid(connection_id: int, kind: str, source_key: str) -> str:
    """A deterministic client-chosen Guid (uuid5 of connection + kind + source key)."""
    return str(uuid.uuid5(NAMESPACE, f"{connection_id}:{kind}:{source_key}"))


def external_reference(rackbeat_account_id: int, kind: str, source_key: str) -> str:
    """Written on every Dinero object we create; at most 128 characters, as Dinero allows."""
    return f"rackbeat:{rackbeat_account_id}:{kind}:{source_key}"[:128]
