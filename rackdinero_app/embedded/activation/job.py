"""The jobs that verify Dinero credentials outside the web request, then use them."""

from __future__ import annotations

from rackdinero_app.embedded.activation.attempts import activate
from rackdinero_app.embedded.activation.attempts import change_credentials
from rackdinero_app.embedded.activation.attempts import run_attempt
from rackdinero_app.jobs import job


@job
def verify_and_activate(attempt_id: str, encrypted_api_key: str, actor: str) -> None:
    run_attempt(attempt_id, encrypted_api_key, actor, activate)


@job
def verify_and_change_connection(attempt_id: str, encrypted_api_key: str, actor: str) -> None:
    run_attempt(attempt_id, encrypted_api_key, actor, change_credentials)
