"""A start-sync message in the reader's language (Flask-Babel's locale), from its code and
parameters; a nested message (a client error) is translated too."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from rackdinero_app.clients.errors import MESSAGES as CLIENT_MESSAGES
from rackdinero_app.sync.reasons import CLIENT
from rackdinero_app.sync.reasons import SUMMARIES
from rackdinero_app.sync.reasons import TEMPLATES

log = logging.getLogger(__name__)


def _template(code: str) -> str:
    if code.startswith(CLIENT):
        return CLIENT_MESSAGES[code[len(CLIENT) :]]
    return TEMPLATES[code]


def render(code: str, params: Mapping[str, Any], translate: Callable[[str], str] = gettext) -> str:
    """The message ``code`` with its JSON ``params``, each template passed through
    ``translate``."""
    values = {
        name: render(value["code"], value.get("params") or {}, translate)
        if isinstance(value, Mapping)
        else value
        for name, value in params.items()
    }
    return translate(_template(code)) % values


def in_english(code: str, params: Mapping[str, Any]) -> str:
    """The message as written, for logs and support."""
    return render(code, params, translate=str)


def translated(code: str | None, params: Mapping[str, Any] | None) -> str:
    """The stored message in the current locale; empty when there is none or it no longer
    fits its parameters (logged)."""
    if not code:
        return ""
    try:
        return render(code, params or {})
    except (KeyError, TypeError, ValueError):
        log.warning("Start-sync message %s cannot be shown from %r", code, params, exc_info=True)
        return ""


def summary(code: str) -> str:
    """How the preview names a reason for skipping, in the current locale."""
    return gettext(SUMMARIES[code]) if code in SUMMARIES else code
