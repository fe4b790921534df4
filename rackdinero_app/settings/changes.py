"""What a save changed, field by field and mapping by mapping, for the audit trail."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

from rackdinero_app.settings.snapshot import SettingsSnapshot


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _key(key: Any) -> str:
    return "/".join(str(_plain(part)) for part in key) if isinstance(key, tuple) else str(key)


def diff(before: SettingsSnapshot, after: SettingsSnapshot) -> dict[str, dict[str, Any]]:
    """``{"purchase_accounts[1/domestic]": {"before": None, "after": 2000}, ...}``, JSON-ready."""
    changed: dict[str, dict[str, Any]] = {}
    for field in dataclasses.fields(SettingsSnapshot):
        old, new = getattr(before, field.name), getattr(after, field.name)
        if isinstance(old, Mapping):
            for key in sorted(set(old) | set(new), key=_key):
                if old.get(key) != new.get(key):
                    changed[f"{field.name}[{_key(key)}]"] = {
                        "before": _plain(old.get(key)),
                        "after": _plain(new.get(key)),
                    }
        elif old != new:
            changed[field.name] = {"before": _plain(old), "after": _plain(new)}
    return changed
