"""Dinero's OpenAPI document (the subset the app uses): the authority for every shape.

Schemas are returned with every ``$ref`` inlined, and OpenAPI 3.0 ``nullable`` rewritten as a
JSON Schema type array, so a plain Draft 2020-12 validator can check them.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("openapi-subset.json")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    request_schema: dict[str, Any] | None
    response_schema: dict[str, Any] | None
    query_defaults: dict[str, Any]


@cache
def document() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def resolve(schema: Any) -> Any:
    """A copy of ``schema`` with ``$ref``s inlined and ``nullable`` folded into ``type``."""
    components = document()["components"]["schemas"]

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                raise ValueError(f"recursive schema {name} is not supported")
            merged = {**components[name], **{k: v for k, v in node.items() if k != "$ref"}}
            return walk(merged, (*seen, name))
        out = {key: walk(value, seen) for key, value in node.items()}
        if out.pop("nullable", False) and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out

    return walk(copy.deepcopy(schema), ())


@cache
def operations() -> dict[tuple[str, str], Operation]:
    """Every operation in the document, keyed by (METHOD, OpenAPI path)."""
    found: dict[tuple[str, str], Operation] = {}
    for path, item in document()["paths"].items():
        for method, op in item.items():
            if method.startswith("x-") or not isinstance(op, dict):
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            ok = op.get("responses", {}).get("200", {}).get("content", {})
            response = ok.get("application/json")
            defaults = {
                p["name"]: p["schema"]["default"]
                for p in op.get("parameters", [])
                if p.get("in") == "query" and "default" in p.get("schema", {})
            }
            found[(method.upper(), path)] = Operation(
                method=method.upper(),
                path=path,
                request_schema=resolve(body["schema"]) if body else None,
                response_schema=resolve(response["schema"]) if response else None,
                query_defaults=defaults,
            )
    return found


def operation(method: str, path: str) -> Operation:
    return operations()[(method.upper(), path)]


def openapi_path(flask_rule: str) -> str:
    """``/v1/<organizationId>/invoices/<guid>`` -> ``/v1/{organizationId}/invoices/{guid}``."""
    return flask_rule.replace("<", "{").replace(">", "}")


def item_schema(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of one element of a list response (bare array or Collection envelope)."""
    if schema.get("type") == "array":
        return schema["items"]
    collection = schema.get("properties", {}).get("Collection")
    return collection["items"] if collection else None
