"""Typed client errors, each with a plain-language message a Rackbeat user can act on.

``is_transient`` tells the transfer engine whether retrying later can help. Messages never
contain a token or API key: every message built from a server answer goes through ``redact``.

Every message is one of ``MESSAGES``, named by ``message_code`` and filled in from
``message_params`` (the service, an HTTP status, the server's own text), so the app can show it
in the reader's language; ``message`` is its English text, for logs and support.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"


def N_(template: str) -> str:
    """Marks a message for ``pybabel extract``; it is translated where it is shown."""
    return template


MESSAGES = {
    # The default message of each error type.
    "request_failed": N_("The request to the other system failed."),
    "access_refused": N_("The app's access was refused. Reconnect the app with valid credentials."),
    "not_found": N_("The record was not found. It may have been deleted."),
    "rejected": N_("The data was rejected. Correct the fields named below and try again."),
    "stale_timestamp": N_(
        "The record was changed in Dinero while the app worked on it. "
        "The app reads it again and retries."
    ),
    "not_dinero_pro": N_(
        "The Dinero organization does not have a Dinero Pro subscription, which the Dinero API "
        "requires. Upgrade the organization to Pro in Dinero, then try again."
    ),
    "rate_limited": N_(
        "The other system asked the app to slow down. The transfer is retried later."
    ),
    "transient": N_("The other system did not answer properly. The transfer is retried later."),
    # Either service's answers; ``service`` is "Rackbeat" or "Dinero".
    "not_found_in": N_("The record was not found in %(service)s. It may have been deleted there."),
    "rejected_fields": N_("%(service)s rejected the data (%(details)s)."),
    "rejected_text": N_("%(service)s rejected the data: %(text)s."),
    "rejected_plain": N_("%(service)s rejected the data."),
    "server_error": N_(
        "%(service)s had a temporary problem (HTTP %(status)s). The transfer is retried later."
    ),
    "http_status": N_("%(service)s answered HTTP %(status)s."),
    "http_status_text": N_("%(service)s answered HTTP %(status)s: %(text)s."),
    "connect_timeout": N_(
        "%(service)s could not be reached in time. The transfer is retried later."
    ),
    "read_timeout": N_(
        "%(service)s did not answer in time. The app checks whether the change was saved "
        "before it tries again."
    ),
    "connection_failed": N_("The connection to %(service)s failed. The transfer is retried later."),
    # Rackbeat's answers.
    "rackbeat_reinstall": N_(
        "Rackbeat no longer accepts the app's authorization. Reinstall the Dinero app from "
        "Rackbeat's app catalogue."
    ),
    "rackbeat_forbidden": N_(
        "Rackbeat refused the app access to this data. Check that the Dinero app is "
        "still installed and has the permissions it asks for."
    ),
    "rackbeat_rate_limited": N_(
        "Rackbeat asked the app to slow down. The transfer is retried shortly."
    ),
    "rackbeat_refresh_slow": N_("Renewing the Rackbeat access took too long. It is retried later."),
    # Dinero's answers.
    "dinero_key_refused": N_(
        "Dinero refused the app's access. Create a new API key in Dinero and enter it in "
        "the app's settings."
    ),
    "dinero_key_not_accepted": N_(
        "Dinero did not accept the API key. Create a new API key in Dinero and enter it "
        "in the app's settings."
    ),
    "dinero_client_refused": N_(
        "Dinero refused the app's client credentials. Contact the app's support."
    ),
    "dinero_organization_refused": N_(
        "Dinero refused access to this organization. Check that the API key belongs to "
        "the organization set up in the app."
    ),
    "dinero_rate_limited": N_(
        "Dinero asked the app to slow down (too many requests per minute). "
        "The transfer is retried shortly."
    ),
    "dinero_request_budget": N_(
        "The app is sending Dinero more requests than Dinero allows per minute. "
        "The transfer is retried shortly."
    ),
    # Visma Connect, the sign-in Dinero requires of public apps.
    "dinero_sign_in_revoked": N_(
        "Dinero sign-in was revoked: sign in again. Open the Dinero app in Rackbeat and choose "
        "Sign in again; what failed for this reason is sent again afterwards."
    ),
    "dinero_sign_in_slow": N_(
        "Renewing the Dinero sign-in took too long. The transfer is retried later."
    ),
    "visma_connect_client_refused": N_(
        "Visma Connect refused the app's client credentials. Contact the app's support."
    ),
    "visma_connect_refused": N_("Visma Connect refused the sign-in (%(error)s)."),
}


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced, so it is safe to show and log."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class ClientError(Exception):
    """Base class: something went wrong talking to Rackbeat or Dinero.

    Give ``message_code`` (a key of ``MESSAGES``) and its ``params``. A plain English ``message``
    (tests, scripts) is kept for logs and is shown translated as the type's ``default_code``.
    """

    is_transient = False
    default_code = "request_failed"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: int | None = None,
        message_code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.message_params: dict[str, Any] = dict(params or {})
        if message_code is not None:
            message = MESSAGES[message_code] % self.message_params
        elif message is None:
            message_code = self.default_code
            message = MESSAGES[message_code]
        else:
            message_code = self.default_code
        self.message = message
        self.message_code = message_code
        self.status = status
        self.code = code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, status={self.status!r})"


class AuthFailed(ClientError):
    """The credentials were refused (401, invalid grant, or no access)."""

    default_code = "access_refused"


class NotFound(ClientError):
    """The record does not exist (or was deleted)."""

    default_code = "not_found"


class ValidationFailed(ClientError):
    """The data was rejected; ``field_errors`` maps each field to its message(s)."""

    default_code = "rejected"

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: dict[str, str | list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.field_errors: dict[str, str | list[str]] = field_errors or {}

    @classmethod
    def from_fields(
        cls,
        service: str,
        fields: Mapping[str, Any],
        secrets: Iterable[str | None],
        *,
        text: str = "",
        status: int | None = None,
        code: int | None = None,
    ) -> ValidationFailed:
        """``{field: message(s)}`` from a server, redacted, in a message naming every field.

        The message reads "Dinero rejected the data (Name: Too long; Unit: Unknown unit)."; with
        no field messages it falls back to the server's own ``text``.
        """
        secrets = tuple(secrets)

        def clean(value: Any) -> str | list[str]:
            if isinstance(value, list):
                return [redact(str(item), secrets) for item in value]
            return redact(str(value), secrets)

        field_errors = {redact(str(key), secrets): clean(value) for key, value in fields.items()}
        details = "; ".join(
            f"{key}: {' '.join(value) if isinstance(value, list) else value}"
            for key, value in field_errors.items()
        )
        text = redact(text, secrets)
        if details:
            message_code, params = "rejected_fields", {"service": service, "details": details}
        elif text:
            message_code, params = "rejected_text", {"service": service, "text": text}
        else:
            message_code, params = "rejected_plain", {"service": service}
        return cls(
            field_errors=field_errors,
            status=status,
            code=code,
            message_code=message_code,
            params=params,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"field_errors={self.field_errors!r})"
        )


class StaleTimestamp(ClientError):
    """Dinero code 58: the record changed since it was read; re-read it, then retry."""

    default_code = "stale_timestamp"


class NotDineroPro(ClientError):
    """Dinero answered 403 because the organization has no Pro subscription."""

    default_code = "not_dinero_pro"


class RateLimited(ClientError):
    """Too many requests (429); ``retry_after`` is the server's wait in seconds, if it gave one."""

    is_transient = True
    default_code = "rate_limited"

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, status=status, **kwargs)
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, retry_after={self.retry_after!r})"


class Transient(ClientError):
    """A timeout, a dropped connection or a server error (5xx): retrying later may work.

    ``may_have_succeeded`` is true when the request reached the server before things went wrong
    (a read timeout, a 5xx), so a write must be looked up by its identity before it is repeated.
    """

    is_transient = True
    default_code = "transient"

    def __init__(
        self, message: str | None = None, *, may_have_succeeded: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.may_have_succeeded = may_have_succeeded


class SignInRevoked(AuthFailed):
    """Visma Connect refused the stored grant (``invalid_grant``: revoked, expired or already
    used): only a new sign-in by the user mends it."""

    default_code = "dinero_sign_in_revoked"
