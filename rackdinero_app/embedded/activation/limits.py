"""How often a Dinero company may be connected: activation and "change Dinero connection".

Each attempt queues a job that asks Dinero about the key, so a loop of them costs Dinero calls.
Attempts are counted per connection (``ACTIVATION_LIMIT_PER_CONNECTION``) and per Dinero company
id typed (``ACTIVATION_LIMIT_PER_ORGANIZATION``: someone else's id is worth nothing to a loop);
once either is used up the page answers 429 and nothing is queued. A form with a mistake
queues nothing and is not counted: the view shows the mistake.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort
from flask import g
from flask import make_response

from rackdinero_app.dinero_sign_in.credentials import read_credentials
from rackdinero_app.embedded.views import page_error
from rackdinero_app.limits import activation_allowed
from rackdinero_app.limits import too_many_activations


def count_attempt(form: Mapping[str, str]) -> None:
    """Count a well-formed attempt, or answer 429 (``abort``) when the connection or the
    company has used its attempts."""
    values, _api_key, errors = read_credentials(form)
    if errors:
        return
    if not activation_allowed(f"connection:{g.connection.id}", int(values["organization_id"])):
        abort(make_response(page_error(too_many_activations(), 429)))
