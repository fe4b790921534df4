"""What the benches share: the whole system on loopback, on a fresh Redis and schema."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from rackdinero_app.extensions import db
from sandbox.services import redis_server
from tests.stack import Stack
from tests.stack import running_stack


@contextlib.contextmanager
def bench_stack(
    database_url: str,
    settings: dict[str, Any],
    *,
    dinero_config: dict[str, Any],
    workers: int = 1,
    redis_url: str | None = None,
) -> Iterator[Stack]:
    """A fresh Redis (or the one at ``redis_url``) and schema, the app with ``settings`` (its
    workers too), both sandboxes and ``workers`` worker processes; the block runs inside the
    app's context."""
    with contextlib.ExitStack() as resources:
        if redis_url is None:
            redis_url = resources.enter_context(redis_server())
        tmp = resources.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
        config = {
            "ENV": "test",
            "SECRET_KEY": "bench-secret-key",
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            **settings,
        }
        with running_stack(
            config,
            Path(tmp),
            dinero_config=dinero_config,
            worker_config=settings,
            workers=workers,
        ) as stack:
            with stack.app.app_context():
                try:
                    yield stack
                finally:
                    db.session.remove()
                    db.drop_all()


def rackbeat_store(stack: Stack):
    return stack.rackbeat.extensions["rackbeat_sandbox"]
