"""Helpers every API view uses: the caller's account, bodies, flags, scopes, list envelopes."""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable
from typing import Any

from flask import abort
from flask import g
from flask import jsonify
from flask import make_response
from flask import request

from sandbox.rackbeat.records import RecordNotFound
from sandbox.rackbeat.records import parse_key
from sandbox.rackbeat.records import sort_key
from sandbox.rackbeat.records.validation import Fields
from sandbox.rackbeat.records.validation import parse_bool
from sandbox.rackbeat.store import Account

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
ORDER_DIRECTIONS = ("asc", "desc")


def account() -> Account:
    """The account the bearer token belongs to (set by the blueprint's auth hook)."""
    return g.account


def json_body() -> dict[str, Any]:
    """The request body as a dict: JSON object, or form fields."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(make_response(jsonify(message="The body must be a JSON object."), 400))
        return data
    return request.form.to_dict()


def suppress_requested(body: dict[str, Any] | None = None) -> bool:
    """``suppress_webhooks=true`` in the query string or the body."""
    raw = request.args.get("suppress_webhooks")
    if raw is None and body is not None:
        raw = body.get("suppress_webhooks")
    return bool(parse_bool(raw)) if raw is not None else False


def scoped(*scopes: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require one of ``scopes`` on the token; 403 otherwise."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not set(scopes) & set(g.token.scopes):
                message = f"This action is unauthorized. The token lacks scope: {scopes[0]}."
                abort(make_response(jsonify(message=message), 403))
            return view(*args, **kwargs)

        return wrapper

    return decorate


def single(key: str, record: dict[str, Any], status: int = 200) -> Any:
    return jsonify({key: record}), status


def _simple_filters() -> list[tuple[str, str]]:
    return [
        (name[len("simple_filter[") : -1], value)
        for name, value in request.args.items()
        if name.startswith("simple_filter[") and name.endswith("]")
    ]


def filtered(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply ``simple_filter[<field>]=<value>`` (equality on the field's text)."""
    for field, value in _simple_filters():
        records = [record for record in records if _text(record.get(field)) == value]
    return records


def matching(account: Account, resource: str) -> list[dict[str, Any]]:
    """The account's records of ``resource`` in key order, narrowed by ``simple_filter[...]``.

    The stored records themselves (``paginated`` copies the page it answers), so a lookup by
    one value costs one pass over the records, not a copy of all of them; a filter on the key
    (``number``) is a single lookup."""
    records = account.records[resource]
    filters = _simple_filters()
    keyed = [value for field, value in filters if field == "number"]
    if keyed:
        try:
            record = records.get(parse_key(resource, keyed[0]))
        except RecordNotFound:
            record = None
        return filtered([] if record is None else [record])
    keys = [
        key
        for key, record in records.items()
        if all(_text(record.get(field)) == value for field, value in filters)
    ]
    return [records[key] for key in sorted(keys, key=sort_key)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _order_key(value: Any) -> tuple[int, Any]:
    """Numbers before text, so a field of mixed types still sorts; bools count as numbers."""
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value))


def ordered(fields: Fields, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply ``order_by=<field>`` and ``order_direction=asc|desc`` (default asc), as the
    laravel-rackbeat SDK sends them. Records without the field come last either way and ties
    keep key order; a field no record has orders nothing (no source says Rackbeat refuses it).
    """
    direction = request.args.get("order_direction")
    if direction is not None and direction.lower() not in ORDER_DIRECTIONS:
        fields.fail("order_direction", "The selected order direction is invalid.")
    field = (request.args.get("order_by") or "").strip()
    if not field:
        return records
    having = [record for record in records if record.get(field) is not None]
    if not having:
        return records
    without = [record for record in records if record.get(field) is None]
    descending = (direction or "asc").lower() == "desc"
    having.sort(key=lambda record: _order_key(record[field]), reverse=descending)
    return having + without


def paginated(plural: str, records: list[dict[str, Any]]) -> Any:
    """HTTP 206 with ``{<plural>: [...], total, pages, limit, page}``; ``page`` starts at 1."""
    fields = Fields(request.args.to_dict())
    page = fields.integer("page", minimum=1)
    limit = fields.integer("limit", minimum=1)
    if isinstance(limit, int) and limit > MAX_LIMIT:
        fields.fail("limit", f"The limit may not be greater than {MAX_LIMIT}.")
    records = ordered(fields, records)
    fields.raise_if_failed()
    page = page if isinstance(page, int) else 1
    limit = limit if isinstance(limit, int) else DEFAULT_LIMIT
    total = len(records)
    start = (page - 1) * limit
    body = {
        plural: copy.deepcopy(records[start : start + limit]),
        "total": total,
        "pages": max(1, math.ceil(total / limit)),
        "limit": limit,
        "page": page,
    }
    return jsonify(body), 206
