"""Helpers every resource view shares: the validated body, lookups, response shaping."""

from __future__ import annotations

from typing import Any

from flask import g
from flask import jsonify
from flask import request

from sandbox.dinero.errors import HtmlNotFound
from sandbox.dinero.errors import NotFound
from sandbox.dinero.state import Organization
from sandbox.dinero.validation import json_body
from sandbox.dinero.validation import validate_request


def organization() -> Organization:
    return g.organization


def body(optional: bool = False) -> dict[str, Any]:
    """The request body, validated against the current operation's documented schema.

    ``optional``: a DELETE whose body only carries an optional ``Timestamp`` may omit it.
    """
    if optional and not request.get_data():
        return {}
    data = json_body()
    validate_request(request.method, g.operation.path, data)
    return data


def shaped(record: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``record`` reduced to the properties the documented schema has."""
    return {name: record[name] for name in schema["properties"] if name in record}


def respond(record: dict[str, Any]):
    """The record as the current operation's documented response model."""
    return jsonify(shaped(record, g.operation.response_schema))


def empty_ok():
    return "", 200


def find(table: dict[str, dict[str, Any]], guid: str, what: str, html: bool = False) -> dict:
    """The live record with ``guid``, else a 404 (HTML or JSON code 40, see ``errors``)."""
    record = table.get(guid.lower())
    if record is None or record.get("DeletedAt"):
        if html:
            raise HtmlNotFound()
        raise NotFound(what)
    return record
