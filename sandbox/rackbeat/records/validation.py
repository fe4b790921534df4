"""Field checks that collect Laravel-style messages under dotted field paths."""

from __future__ import annotations

import re
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MISSING = object()


class ValidationFailed(Exception):
    """A request body did not validate: answered as 422 ``{"errors": {field: [messages]}}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The given data was invalid.")
        self.errors = errors


class Fields:
    """Reads typed values from a request body; every problem is collected, not raised at once.

    Each reader returns ``MISSING`` when the field is absent (so updates can tell "not sent"
    from "sent empty") and ``None`` when the value is invalid.
    """

    def __init__(self, body: dict[str, Any], prefix: str = "") -> None:
        self.body = body
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}

    def path(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def label(self, name: str) -> str:
        """How a field is named in messages: "company name", or "lines.0.quantity" when nested."""
        return self.path(name) if self.prefix else name.replace("_", " ")

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(self.path(name), []).append(message)

    def _raw(self, name: str, required: bool) -> Any:
        value = self.body.get(name, MISSING)
        if value is MISSING or value is None or value == "":
            if required:
                self.fail(name, f"The {self.label(name)} field is required.")
                return None
            return MISSING if value is MISSING else None
        return value

    def string(self, name: str, *, required: bool = False, max_length: int = 255) -> Any:
        value = self._raw(name, required)
        if value is MISSING or value is None:
            return value
        if not isinstance(value, str):
            self.fail(name, f"The {self.label(name)} must be a string.")
            return None
        if len(value) > max_length:
            limit = f"may not be greater than {max_length} characters"
            self.fail(name, f"The {self.label(name)} {limit}.")
            return None
        return value

    def pattern(self, name: str, regex: re.Pattern[str], message: str, **kwargs: Any) -> Any:
        value = self.string(name, **kwargs)
        if isinstance(value, str) and not regex.match(value):
            self.fail(name, message)
            return None
        return value

    def email(self, name: str, **kwargs: Any) -> Any:
        return self.pattern(
            name, EMAIL, f"The {self.label(name)} must be a valid email address.", **kwargs
        )

    def currency(self, name: str, **kwargs: Any) -> Any:
        message = f"The {self.label(name)} must be a 3-letter ISO 4217 currency code (e.g. DKK)."
        return self.pattern(name, CURRENCY, message, **kwargs)

    def choice(self, name: str, options: tuple[str, ...], **kwargs: Any) -> Any:
        value = self.string(name, **kwargs)
        if isinstance(value, str) and value not in options:
            self.fail(name, f"The selected {self.label(name)} is invalid.")
            return None
        return value

    def integer(self, name: str, *, required: bool = False, minimum: int | None = None) -> Any:
        value = self._raw(name, required)
        if value is MISSING or value is None:
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"The {self.label(name)} must be an integer.")
            return None
        if minimum is not None and value < minimum:
            self.fail(name, f"The {self.label(name)} must be at least {minimum}.")
            return None
        return value

    def number(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> Any:
        value = self._raw(name, required)
        if value is MISSING or value is None:
            return value
        if isinstance(value, bool):
            self.fail(name, f"The {self.label(name)} must be a number.")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(name, f"The {self.label(name)} must be a number.")
            return None
        if not number.is_finite():
            self.fail(name, f"The {self.label(name)} must be a number.")
            return None
        if minimum is not None and number < Decimal(str(minimum)):
            self.fail(name, f"The {self.label(name)} must be at least {minimum}.")
            return None
        if maximum is not None and number > Decimal(str(maximum)):
            self.fail(name, f"The {self.label(name)} may not be greater than {maximum}.")
            return None
        return float(number)

    def boolean(self, name: str, *, required: bool = False) -> Any:
        value = self._raw(name, required)
        if value is MISSING or value is None:
            return value
        parsed = parse_bool(value)
        if parsed is None:
            self.fail(name, f"The {self.label(name)} field must be true or false.")
        return parsed

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def parse_bool(value: Any) -> bool | None:
    """True/false from JSON booleans, 0/1 and the strings Laravel accepts."""
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    return None
