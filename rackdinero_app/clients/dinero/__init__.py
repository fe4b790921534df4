"""The Dinero REST client.

``auth`` gets access tokens, ``transport`` sends one operation (rate limit, retries, paging),
``errors`` maps Dinero's error answers to typed errors, and ``client`` has one method per
operation the app uses.
"""

from rackdinero_app.clients.dinero.client import DineroClient
from rackdinero_app.clients.dinero.client import SalesFilter

__all__ = ["DineroClient", "SalesFilter"]
