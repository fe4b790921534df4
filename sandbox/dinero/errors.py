"""Dinero's error responses.

JSON error bodies are camelCase ``{code, message, validationErrors, languageSpecificMessages}``
(codes from Dinero's error page: 40 not found, 41 unauthorized, 42 validation, 43 limit, plus
58 timestamp outdated and 90 no Pro).

Which 404s are HTML and which JSON (Dinero "just throws HTML back at 404's" for some routes;
which ones exactly is not documented, so the sandbox picks):
- HTML: any URL that matches no route, and GET of a single unknown (or deleted) invoice,
  sales credit note or product.
- JSON code 40: GET of an unknown contact, purchase voucher, purchase credit note or manual
  voucher, and every write (PUT, DELETE, book, payments, ...) that names an unknown guid.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from werkzeug.exceptions import HTTPException

NOT_FOUND_HTML = """<!DOCTYPE html>
<html><head><title>404 - File or directory not found.</title></head>
<body><h2>404 - File or directory not found.</h2>
<p>The resource you are looking for might have been removed, had its name changed,
or is temporarily unavailable.</p></body></html>
"""


class ApiError(Exception):
    """An error Dinero reports as a JSON body."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        validation_errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.validation_errors = validation_errors or {}

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "validationErrors": self.validation_errors,
            "languageSpecificMessages": [
                {"property": field, "message": text}
                for field, text in self.validation_errors.items()
            ],
        }


class ValidationFailed(ApiError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(400, 42, "Validation Error", errors)


class StaleTimestamp(ApiError):
    def __init__(self) -> None:
        super().__init__(
            400,
            58,
            "Timestamp outdated",
            {"Timestamp": "The entity has been changed since you read it. Get the latest version."},
        )


class NotFound(ApiError):
    def __init__(self, what: str = "Entity") -> None:
        super().__init__(404, 40, "Not found", {"globalErrors[]": f"{what} was not found"})


class HtmlNotFound(Exception):
    """A 404 answered with an HTML page, as Dinero does for some resources."""


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: message})


def html_not_found() -> Response:
    return Response(NOT_FOUND_HTML, status=404, mimetype="text/html")


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return jsonify(error.body()), error.status

    @app.errorhandler(HtmlNotFound)
    def html_404(error: HtmlNotFound):
        return html_not_found()

    @app.errorhandler(404)
    def unknown_url(error: HTTPException):
        return html_not_found()

    @app.errorhandler(405)
    def wrong_method(error: HTTPException):
        body = ApiError(405, 40, "The requested resource does not support this HTTP method.")
        return jsonify(body.body()), 405
