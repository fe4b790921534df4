"""The shape of a Rackbeat webhook delivery."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field


class WebhookDelivery(BaseModel):
    """``{key, key_name, event, data}``; "updated" events add old_key, new_key, changed."""

    model_config = ConfigDict(extra="allow")

    key: str | int
    key_name: str = Field(min_length=1, max_length=64)
    event: str = Field(min_length=1, max_length=64)
    data: dict[str, Any] | list[Any] | None = None
    old_key: str | int | None = None
    new_key: str | int | None = None
    changed: list[str] | None = None
