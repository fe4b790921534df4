"""The shape of a Rackbeat webhook delivery."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StrictInt
from pydantic import StrictStr
from pydantic import field_validator

KEY_MAX_LENGTH = 128  # InboxEvent.key and Transfer.source_key are String(128)


class WebhookDelivery(BaseModel):
    """Rackbeat documents ``{key, key_name, event, data}`` ("updated" events add old_key,
    new_key, changed), but real deliveries carry only ``{"key_name": "number", "key": "1021"}``.
    The Rackbeat-Webhook-Event header names the event, so ``key`` is all the body must hold."""

    model_config = ConfigDict(extra="allow")

    key: StrictStr | StrictInt
    key_name: str | None = Field(default=None, min_length=1, max_length=64)
    event: str | None = Field(default=None, min_length=1, max_length=64)
    data: dict[str, Any] | list[Any] | None = None
    old_key: str | int | None = None
    new_key: str | int | None = None
    changed: list[str] | None = None

    @field_validator("key")
    @classmethod
    def _key_fits(cls, key: str | int) -> str | int:
        """A key that does not fit the inbox's column is refused here, not by the database."""
        if not 1 <= len(str(key)) <= KEY_MAX_LENGTH:
            raise ValueError(f"must be 1 to {KEY_MAX_LENGTH} characters long")
        return key
