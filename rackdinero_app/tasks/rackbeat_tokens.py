"""The periodic replacement of contract B's Rackbeat tokens (declared in ``cron.py``)."""

from __future__ import annotations

from rackdinero_app.install.tokens import replace_due_tokens
from rackdinero_app.jobs import job


@job
def replace_rackbeat_tokens() -> dict[str, int]:
    return replace_due_tokens()
