"""Which of Rackbeat's install contracts this deployment offers (``RACKBEAT_CONTRACTS``).

Contract A is the catalogue's OAuth install, contract B Rackbeat's integration request (DESIGN
§2). The routes of a contract that is not offered answer 404, as if they did not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort
from flask import current_app

from rackdinero_app.clients.rackbeat_tokens import INTEGRATION
from rackdinero_app.clients.rackbeat_tokens import OAUTH
from rackdinero_app.config import rackbeat_contracts

__all__ = ["INTEGRATION", "OAUTH", "offered", "only_if_offered"]


def offered(contract: str) -> bool:
    return contract in rackbeat_contracts(current_app.config)


def only_if_offered(contract: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view of ``contract``: 404 where the deployment does not offer it."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not offered(contract):
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorate
