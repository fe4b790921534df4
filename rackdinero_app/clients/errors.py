"""Typed client errors, each with a plain-language message a Rackbeat user can act on.

``is_transient`` tells the transfer engine whether retrying later can help. Messages never
contain a token or API key: every message built from a server answer goes through ``redact``.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced, so it is safe to show and log."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class ClientError(Exception):
    """Base class: something went wrong talking to Rackbeat or Dinero."""

    is_transient = False
    default_message = "The request to the other system failed."

    def __init__(
        self, message: str | None = None, *, status: int | None = None, code: int | None = None
    ) -> None:
        self.message = message or self.default_message
        self.status = status
        self.code = code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, status={self.status!r})"


class AuthFailed(ClientError):
    """The credentials were refused (401, invalid grant, or no access)."""

    default_message = "The app's access was refused. Reconnect the app with valid credentials."


class NotFound(ClientError):
    """The record does not exist (or was deleted)."""

    default_message = "The record was not found. It may have been deleted."


class ValidationFailed(ClientError):
    """The data was rejected; ``field_errors`` maps each field to its message(s)."""

    default_message = "The data was rejected. Correct the fields named below and try again."

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: dict[str, str | list[str]] | None = None,
        status: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
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
        message = f"{service} rejected the data"
        message += f" ({details})." if details else (f": {text}." if text else ".")
        return cls(message, field_errors=field_errors, status=status, code=code)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"field_errors={self.field_errors!r})"
        )


class StaleTimestamp(ClientError):
    """Dinero code 58: the record changed since it was read; re-read it, then retry."""

    default_message = (
        "The record was changed in Dinero while the app worked on it. "
        "The app reads it again and retries."
    )


class NotDineroPro(ClientError):
    """Dinero answered 403 because the organization has no Pro subscription."""

    default_message = (
        "The Dinero organization does not have a Dinero Pro subscription, which the Dinero API "
        "requires. Upgrade the organization to Pro in Dinero, then try again."
    )


class RateLimited(ClientError):
    """Too many requests (429); ``retry_after`` is the server's wait in seconds, if it gave one."""

    is_transient = True
    default_message = "The other system asked the app to slow down. The transfer is retried later."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        code: int | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, retry_after={self.retry_after!r})"


class Transient(ClientError):
    """A timeout, a dropped connection or a server error (5xx): retrying later may work.

    ``may_have_succeeded`` is true when the request reached the server before things went wrong
    (a read timeout, a 5xx), so a write must be looked up by its identity before it is repeated.
    """

    is_transient = True
    default_message = "The other system did not answer properly. The transfer is retried later."

    def __init__(
        self,
        message: str | None = None,
        *,
        may_have_succeeded: bool = True,
        status: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.may_have_succeeded = may_have_succeeded
