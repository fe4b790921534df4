"""Background jobs. Each job takes ids, runs inside an app context, and records its outcome."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask import has_app_context

_worker_app: Flask | None = None


def _app() -> Flask:
    """The app a worker process runs jobs in, built once per process."""
    global _worker_app
    if _worker_app is None:
        from rackdinero_app import create_app

        _worker_app = create_app()
    return _worker_app


def job(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``func`` inside an app context (the worker's own, or one built for this process)."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        with _app().app_context():
            return func(*args, **kwargs)

    return run
