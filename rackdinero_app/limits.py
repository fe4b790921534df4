"""What one request may cost: how large its body is, and how often it may be tried.

Bodies: ``MAX_CONTENT_LENGTH`` bounds every request, ``MAX_FORM_MEMORY_SIZE`` every form field
and ``MAX_FORM_PARTS`` the number of fields; Werkzeug answers 413 before reading more. A surface
may lower the bound for its own requests (the webhooks do). ``BoundedRequest`` raises that 413
once: afterwards the form reads as empty, so the error page, which looks for the session in the
form, does not raise it again.

Attempts: one Flask-Limiter instance, counting in the app's Redis, serves the support login
(``support/limits.py``) and every way of connecting a Dinero company: activation and "change
Dinero connection" (``embedded/activation/limits.py``) and contract B's onboarding, which share
one count per company id typed (:func:`activation_allowed`).
"""

from __future__ import annotations

from flask import Flask
from flask import Request
from flask import current_app
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from werkzeug.exceptions import RequestEntityTooLarge

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


class BoundedRequest(Request):
    """A request whose oversized form raises 413 once, then reads as empty."""

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except RequestEntityTooLarge:
            empty = self.parameter_storage_class()
            self.__dict__.update(form=empty, files=self.parameter_storage_class())
            raise


def within_limits(scope: str, limits: list[tuple[str, str]]) -> bool:
    """Count one attempt under each ``(limit, key)`` (e.g. ``("5 per 15 minutes",
    "connection:7")``), unless one of them is used up already: then count nothing and return
    False."""
    counted = [(parse(limit), key) for limit, key in limits]
    if not all(limiter.limiter.test(item, scope, key) for item, key in counted):
        return False
    for item, key in counted:
        limiter.limiter.hit(item, scope, key)
    return True


ACTIVATION_SCOPE = "rackdinero-activation"


def activation_allowed(attempt_key: str, organization_id: int) -> bool:
    """Count one attempt to connect Dinero company ``organization_id`` from one place (a
    connection, an onboarding: ``attempt_key``), or False when either has used its attempts
    (``ACTIVATION_LIMIT_PER_CONNECTION``, ``ACTIVATION_LIMIT_PER_ORGANIZATION``)."""
    config = current_app.config
    limits = [
        (config["ACTIVATION_LIMIT_PER_CONNECTION"], attempt_key),
        (config["ACTIVATION_LIMIT_PER_ORGANIZATION"], f"organization:{organization_id}"),
    ]
    return within_limits(ACTIVATION_SCOPE, limits)


def too_many_activations() -> str:
    return _(
        "There have been too many attempts to connect this Dinero company in a short "
        "time. Wait an hour, check the company ID and the API key in Dinero, and try again."
    )


def init_app(app: Flask) -> None:
    """Bounded bodies and the shared limiter. Safe to call again (Flask-Limiter adds its hooks
    once per app)."""
    app.request_class = BoundedRequest
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "rackdinero-limits")
    limiter.init_app(app)
