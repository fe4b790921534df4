"""A transfer's message in the reader's language (Flask-Babel's locale), from its code and
parameters; nested messages are translated too."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from rackdinero_app.clients.errors import MESSAGES as CLIENT_MESSAGES
from rackdinero_app.transfers.catalogue import TEMPLATES
from rackdinero_app.transfers.messages import CLIENT
from rackdinero_app.transfers.messages import fill

log = logging.getLogger(__name__)

# Every message a transfer row can name: the transfers' own and the client errors'.
CATALOGUE = TEMPLATES | {CLIENT + code: template for code, template in CLIENT_MESSAGES.items()}


def render(code: str, params: Mapping[str, Any], translate: Callable[[str], str] = gettext) -> str:
    """The message ``code`` with its JSON ``params``, each template passed through
    ``translate``."""
    return fill(
        translate(CATALOGUE[code]),
        params,
        lambda nested: render(nested["code"], nested["params"], translate),
    )


def translated(code: str | None, params: Mapping[str, Any] | None, english: str | None) -> str:
    """The stored message in the current locale; its English text for a row written before
    messages had codes, or whose code or translation no longer fits its parameters."""
    if code is None:
        return english or ""
    try:
        return render(code, params or {})
    except (KeyError, TypeError, ValueError):
        log.warning("Message %s cannot be shown from %r", code, params, exc_info=True)
        return english or ""
