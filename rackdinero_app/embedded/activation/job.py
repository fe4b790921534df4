"""The jobs that verify Dinero credentials outside the web request; the user then confirms
what is connected before anything is saved (``attempts.confirm_attempt``)."""

from __future__ import annotations

from rackdinero_app.embedded.activation.attempts import run_attempt
from rackdinero_app.jobs import job


@job
def verify_and_activate(attempt_id: str, encrypted_api_key: str, actor: str) -> None:
    """``actor`` is kept for jobs queued before the confirmation step; the confirming user is
    the one recorded."""
    run_attempt(attempt_id, encrypted_api_key)


@job
def verify_and_change_connection(attempt_id: str, encrypted_api_key: str, actor: str) -> None:
    run_attempt(attempt_id, encrypted_api_key)
