"""Which units Rackbeat products use and which layouts customers use, cached per connection.

Finding them pages through every product and every customer, so the settings pages and the
overview keep the answer in Redis. A product or customer webhook bumps that list's generation
(no Rackbeat call inside the webhook request); an answer stored under an older generation is
stale, so the next page reads Rackbeat again. An answer read while a webhook arrived is stored
under the generation it started from, and so is never taken for current.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from collections.abc import Iterable

from redis.exceptions import RedisError

from rackdinero_app.extensions import rq

log = logging.getLogger(__name__)

IN_USE_CACHE_SECONDS = 24 * 60 * 60  # a safety net: the webhooks keep the lists current


class InUse(enum.StrEnum):
    UNITS = "units"  # product.unit (C7)
    LAYOUTS = "layouts"  # customer.layout_id (C8)


CHANGED_BY: dict[str, InUse] = {
    "product.created": InUse.UNITS,
    "product.updated": InUse.UNITS,
    "customer.created": InUse.LAYOUTS,
    "customer.updated": InUse.LAYOUTS,
}


def _keys(connection_id: int, kind: InUse) -> tuple[str, str]:
    key = f"rackdinero:catalogue:{kind}-in-use:{connection_id}"
    return key, f"{key}:generation"


def in_use(
    connection_id: int,
    kind: InUse,
    read: Callable[[], Iterable[str]],
    *,
    fresh: bool = False,
) -> frozenset[str]:
    """The cached numbers of the current generation, else ``read()``'s (then cached);
    ``fresh`` always reads."""
    key, generation_key = _keys(connection_id, kind)
    generation = int(rq.redis.get(generation_key) or 0)
    cached = None if fresh else rq.redis.get(key)
    if cached is not None:
        cached_generation, numbers = json.loads(cached)
        if cached_generation == generation:
            return frozenset(numbers)
    found = frozenset(read())
    rq.redis.set(key, json.dumps([generation, sorted(found)]), ex=IN_USE_CACHE_SECONDS)
    return found


def forget_in_use(connection_id: int, event: str) -> None:
    """Make stale the list a webhook's event may have changed. Best effort: while Redis is down
    the webhook is still accepted, and the cache's expiry or the next save reads afresh."""
    kind = CHANGED_BY.get(event)
    if kind is None:
        return
    _, generation_key = _keys(connection_id, kind)
    try:
        with rq.redis.pipeline() as pipe:
            pipe.incr(generation_key)
            # Outlives every answer cached under an older generation, so none can match again.
            pipe.expire(generation_key, 2 * IN_USE_CACHE_SECONDS)
            pipe.execute()
    except RedisError:
        log.warning("Could not mark the %s in use of connection %s as stale", kind, connection_id)
