"""Case-insensitive read access to Dinero JSON.

Dinero answers PascalCase, but lower-camel when ``fields`` is given, and spells the version
stamp ``TimeStamp``. A ``Record`` lets callers write ``record["TimeStamp"]``,
``record["timestamp"]`` or ``record.time_stamp`` / ``record.timestamp`` alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any


def _fold(key: str) -> str:
    return key.replace("_", "").lower()


def wrap(value: Any) -> Any:
    """JSON value with every object turned into a ``Record`` (lists are wrapped item by item)."""
    if isinstance(value, dict):
        return Record(value)
    if isinstance(value, list):
        return [wrap(item) for item in value]
    return value


class Record(Mapping[str, Any]):
    """A read-only JSON object whose keys match regardless of case and underscores."""

    __slots__ = ("_data", "_index")

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)
        self._index = {_fold(key): key for key in self._data}

    def __getitem__(self, key: str) -> Any:
        try:
            return wrap(self._data[self._index[_fold(key)]])
        except KeyError:
            raise KeyError(key) from None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _fold(key) in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Record({self._data!r})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object as received."""
        return dict(self._data)
