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
        if not has_app_context():
            with _app().app_context():
                return _run_and_clean_up(func, args, kwargs)
        return _run_and_clean_up(func, args, kwargs)

    return run


def _run_and_clean_up(func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """A job never leaves a transaction or loaded rows behind for the next job in the process."""
    from rackdinero_app.extensions import db

    try:
        return func(*args, **kwargs)
    finally:
        db.session.remove()
