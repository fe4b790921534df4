"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit


def with_query(url: str, **params: str | None) -> str:
    """``url`` with ``params`` appended to its query string (``None`` values left out)."""
    parts = urlsplit(url)
    extra = urlencode({key: value for key, value in params.items() if value is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))
