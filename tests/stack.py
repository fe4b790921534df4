"""The whole system on loopback: the app, an RQ worker process, and both sandboxes.

Used by end-to-end and browser tests. Ports are chosen first, so each side can be told where
the others are; everything stops when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from rackdinero_app import PROJECT_ROOT
from rackdinero_app import create_app
from rackdinero_app.extensions import db
from sandbox.dinero import create_app as create_dinero
from sandbox.rackbeat import create_app as create_rackbeat
from sandbox.services import free_port
from tests.servers import serve_app

ENV_KEYS = (
    "ENV",
    "SECRET_KEY",
    "ENCRYPTION_KEYS",
    "SQLALCHEMY_DATABASE_URI",
    "REDIS_URL",
    "PUBLIC_URL",
    "RACKBEAT_BASE_URL",
    "DINERO_API_URL",
    "DINERO_AUTH_URL",
)


@dataclass
class Stack:
    app: Flask
    rackbeat: Flask
    dinero: Flask
    app_url: str
    rackbeat_url: str
    dinero_url: str
    worker_log: Path


def worker_environment(config: dict[str, Any], instance_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACKDINERO_")}
    for key in ENV_KEYS:
        env[f"RACKDINERO_{key}"] = str(config[key])
    env["RACKDINERO_INSTANCE_PATH"] = str(instance_path)
    return env


@contextlib.contextmanager
def running_stack(
    app_config: dict[str, Any],
    tmp_path: Path,
    *,
    rackbeat_config: dict[str, Any] | None = None,
    dinero_config: dict[str, Any] | None = None,
) -> Iterator[Stack]:
    app_port, rackbeat_port, dinero_port = free_port(), free_port(), free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    rackbeat_url = f"http://127.0.0.1:{rackbeat_port}"
    dinero_url = f"http://127.0.0.1:{dinero_port}"
    config = {
        **app_config,
        "PUBLIC_URL": app_url,
        "RACKBEAT_BASE_URL": rackbeat_url,
        "DINERO_API_URL": dinero_url,
        "DINERO_AUTH_URL": dinero_url,
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
    rackbeat = create_rackbeat(
        {"APP_BASE_URL": app_url, "PUBLIC_URL": rackbeat_url, **(rackbeat_config or {})}
    )
    dinero = create_dinero({"VALIDATE_RESPONSES": True, **(dinero_config or {})})
    worker_log = tmp_path / "worker.log"
    log_file = worker_log.open("wb")
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", "worker"],
        cwd=PROJECT_ROOT,
        env=worker_environment(config, tmp_path / "worker-instance"),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        with (
            serve_app(rackbeat, port=rackbeat_port),
            serve_app(dinero, port=dinero_port),
            serve_app(app, port=app_port),
        ):
            yield Stack(app, rackbeat, dinero, app_url, rackbeat_url, dinero_url, worker_log)
    finally:
        worker.terminate()
        worker.wait(30)
        log_file.close()
