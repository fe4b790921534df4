"""One pooled ``requests.Session`` per process, and a ``send`` that always has timeouts.

Forked RQ work horses must not share the parent's sockets, so the session is keyed by PID.
There are no automatic retries here: a retried POST could write twice, so retrying belongs to
the transfer engine, which first looks the record up by its identity.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from rackdinero_app.clients.errors import Transient

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 30.0
POOL_SIZE = 32

_lock = threading.Lock()
_session: requests.Session | None = None
_session_pid: int | None = None


def session() -> requests.Session:
    """This process's shared session, created on first use."""
    global _session, _session_pid
    with _lock:
        if _session is None or _session_pid != os.getpid():
            _session = requests.Session()
            adapter = HTTPAdapter(pool_connections=POOL_SIZE, pool_maxsize=POOL_SIZE, max_retries=0)
            _session.mount("http://", adapter)
            _session.mount("https://", adapter)
            _session_pid = os.getpid()
        return _session


def send(
    method: str,
    url: str,
    *,
    service: str,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    **kwargs: Any,
) -> requests.Response:
    """Send one request; timeouts and connection failures become ``Transient`` errors."""
    try:
        return session().request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.ConnectTimeout:
        raise Transient(
            message_code="connect_timeout", params={"service": service}, may_have_succeeded=False
        ) from None
    except requests.Timeout:
        raise Transient(message_code="read_timeout", params={"service": service}) from None
    except requests.ConnectionError:
        raise Transient(message_code="connection_failed", params={"service": service}) from None


def retry_after_seconds(value: str | None) -> float | None:
    """The ``Retry-After`` header as seconds (it may be a number or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
