"""Who called: each machine request's ``Consumer-Name``, ``Consumer-Contact`` and
``User-Agent``, kept so tests can check that the app names itself on every call.

Rackbeat's SDK says leaving them out "might get your IP restricted", not that a call is
refused, so the sandbox only records them (``GET /_sandbox/consumers``).
"""

from __future__ import annotations

from flask import request

from sandbox.rackbeat.context import get_store

MACHINE_PREFIXES = ("/api/", "/oauth/token", "/integration/")


def record() -> None:
    if not request.path.startswith(MACHINE_PREFIXES):
        return
    store = get_store()
    with store.lock:
        store.consumer_log.append(
            {
                "method": request.method,
                "path": request.path,
                "consumer_name": request.headers.get("Consumer-Name"),
                "consumer_contact": request.headers.get("Consumer-Contact"),
                "user_agent": request.headers.get("User-Agent"),
            }
        )
