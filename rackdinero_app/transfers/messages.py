"""A message for the Rackbeat user: a code of the catalogue, its parameters, its English text.

The transfer row keeps the code and the parameters, so the transfer log shows the message in
the reader's language, and the English text, for logs and support. A parameter is a value from
the records or from Dinero (a name, a number, Dinero's own validation text), shown as it is, or
a message itself (each fix of a missing mapping, the error a retry waits out), shown in the same
language as the message around it; a list of messages is joined.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rackdinero_app.transfers.catalogue import TEMPLATES

# A client error's message is found in the catalogue as CLIENT + its code.
CLIENT = "client."
# How a list parameter is joined, by its name; any other list is joined with "; ".
SEPARATORS = {"fixes": "\n- "}
_AS_IS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Message:
    code: str
    params: Mapping[str, Any]
    text: str  # in English

    @classmethod
    def of(cls, code: str, **params: Any) -> Message:
        """The catalogue's message ``code`` with its parameters; other values than text,
        numbers, messages and lists of messages (a Decimal) are kept as their text."""
        kept = {
            name: value if isinstance(value, (Message, list, *_AS_IS)) else str(value)
            for name, value in params.items()
        }
        return cls(code, kept, fill(TEMPLATES[code], kept, str))

    def __str__(self) -> str:
        return self.text

    def json_params(self) -> dict[str, Any]:
        """The parameters as JSON, a nested message as ``{"code": …, "params": …}``."""
        return {name: _json(value) for name, value in self.params.items()}


def _json(value: Any) -> Any:
    if isinstance(value, Message):
        return {"code": value.code, "params": value.json_params()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value


def fill(template: str, params: Mapping[str, Any], show: Callable[[Any], str]) -> str:
    """``template`` with its parameters; ``show`` gives the text of a nested message (a
    ``Message``, or its JSON form)."""
    values = {}
    for name, value in params.items():
        if isinstance(value, list):
            values[name] = SEPARATORS.get(name, "; ").join(show(item) for item in value)
        elif isinstance(value, Message | dict):
            values[name] = show(value)
        else:
            values[name] = value
    return template % values
