"""Request bodies checked against the documented JSON schemas, as strictly as Dinero does.

Errors are reported the way ASP.NET model binding names fields (``ProductLines[0].Unit``).
A key that matches a documented property only case-insensitively (``timestamp``) is reported
under the key the client sent, so the client learns which field it misspelled.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from flask import request
from jsonschema import Draft202012Validator
from jsonschema import FormatChecker

from sandbox.dinero import spec
from sandbox.dinero.errors import ValidationFailed

MISSING_MODEL = {"globalErrors[]": "The following models are missing: model"}


def json_body() -> Any:
    """The request's JSON body, or the error Dinero gives for a missing or non-JSON body."""
    if not request.is_json:
        raise ValidationFailed(dict(MISSING_MODEL))
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise ValidationFailed(dict(MISSING_MODEL)) from None
    if body is None:
        raise ValidationFailed(dict(MISSING_MODEL))
    return body


@cache
def _validator(method: str, path: str) -> Draft202012Validator:
    schema = text_lines(spec.operation(method, path).request_schema)
    return Draft202012Validator(schema, format_checker=FormatChecker(formats=("uuid",)))


def text_lines(schema: Any) -> Any:
    """``schema`` with a text line (``LineType: "Text"``) needing only its ``Description``.

    The invoice line schema (``InvoiceLinesCreateModel``) lists AccountNumber, BaseAmountValue,
    Discount and Quantity as required, yet its own prose says "Text lines should only contain a
    description", "purely visual and have no effect on the voucher", and asks for ``Unit`` only
    "when LineType = Product". The required list is what a generator writes for non-nullable
    numbers, which model binding fills with 0 when they are missing. So a text line built as
    the prose says, ``{"LineType": "Text", "Description": ...}``, is accepted; any other line
    still needs all four.
    """
    if isinstance(schema, list):
        return [text_lines(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    node = {key: text_lines(value) for key, value in schema.items()}
    if "LineType" in node.get("properties", {}) and node.get("required"):
        node = {
            **{k: v for k, v in node.items() if k != "required"},
            "if": {"properties": {"LineType": {"const": "Text"}}, "required": ["LineType"]},
            "then": {"required": ["Description"]},
            "else": {"required": node["required"]},
        }
    return node


def validate_request(method: str, path: str, body: Any) -> None:
    """Raise ``ValidationFailed`` unless ``body`` matches the operation's request schema."""
    schema = spec.operation(method, path).request_schema
    errors: dict[str, str] = {}
    _unknown_keys(schema, body, "", errors)
    for error in _validator(method, path).iter_errors(body):
        if error.validator == "additionalProperties":
            continue  # reported by _unknown_keys with a better message
        field, message = _describe(error)
        errors.setdefault(field or "globalErrors[]", message)
    if errors:
        raise ValidationFailed(errors)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _unknown_keys(schema: dict[str, Any], instance: Any, path: str, errors: dict) -> None:
    if isinstance(instance, dict) and "properties" in schema:
        properties = schema["properties"]
        by_lower = {name.lower(): name for name in properties}
        for key, value in instance.items():
            if key in properties:
                _unknown_keys(properties[key], value, _join(path, key), errors)
            elif key.lower() in by_lower:
                errors[_join(path, key)] = (
                    f"Unknown field '{key}'. Field names are case-sensitive: "
                    f"did you mean '{by_lower[key.lower()]}'?"
                )
            elif schema.get("additionalProperties") is False:
                errors[_join(path, key)] = f"Unknown field '{key}'."
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(instance):
            _unknown_keys(schema["items"], item, _join(path, index), errors)


def _describe(error) -> tuple[str, str]:
    path = ""
    for part in error.absolute_path:
        path = _join(path, part)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return _join(path, missing), f"The {missing} field is required."
    if error.validator == "minLength" and error.validator_value == 1:
        name = path.rsplit(".", 1)[-1]
        return path, f"The {name} field is required."
    if error.validator in ("type", "format"):
        return path, f"The value {json.dumps(error.instance)} is not valid for {path}."
    return path, error.message


def check_response(schema: dict[str, Any], body: Any, projected: bool) -> None:
    """Raise ``AssertionError`` if ``body`` does not match the documented response schema.

    ``projected`` marks a list shaped by the ``fields`` parameter: Dinero returns only the
    requested keys, spelled as requested, so items are checked with their keys mapped back to
    the documented casing and without the ``required`` list.
    """
    if projected:
        schema = copy.deepcopy(schema)
        item = spec.item_schema(schema)
        item.pop("required", None)
        by_lower = {name.lower(): name for name in item["properties"]}
        for element in _list_items(body):
            for key in list(element):
                canonical = by_lower.get(key.lower(), key)
                element[canonical] = element.pop(key)
    errors = list(Draft202012Validator(schema).iter_errors(body))
    if errors:
        details = "; ".join(
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors[:5]
        )
        raise AssertionError(f"Response does not match the documented schema: {details}")


def _list_items(body: Any) -> Iterable[dict]:
    if isinstance(body, list):
        return body
    return body.get("Collection") or []
