"""Open failures grouped by their cause across connections (issue 12 D2).

The grouping lives in ``transfers/failure_groups.py``, below the surfaces, since the customer's
overview (A1) shows a connection's own groups too and the surfaces do not import each other.
This module keeps the support dashboard's names for it.
"""

from __future__ import annotations

from rackdinero_app.transfers.failure_groups import FIX_CODES
from rackdinero_app.transfers.failure_groups import GAVE_UP
from rackdinero_app.transfers.failure_groups import AffectedConnection
from rackdinero_app.transfers.failure_groups import FailureGroup
from rackdinero_app.transfers.failure_groups import all_groups
from rackdinero_app.transfers.failure_groups import english
from rackdinero_app.transfers.failure_groups import open_failure_condition
from rackdinero_app.transfers.failure_groups import open_failures
from rackdinero_app.transfers.failure_groups import seen_at

__all__ = [
    "FIX_CODES",
    "GAVE_UP",
    "AffectedConnection",
    "FailureGroup",
    "all_groups",
    "english",
    "open_failure_condition",
    "open_failures",
    "seen_at",
]
