"""The whole system on loopback: the app, an RQ worker process, and both sandboxes.

Used by end-to-end and browser tests. Ports are chosen first, so each side can be told where
the others are; everything stops when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
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
    "VISMA_CONNECT_URL",
)


@dataclass
class Workers:
    """The ``flask worker`` processes of a stack, each in its own process group (the worker,
    its forked work horse and its scheduler), so a test can kill one the hard way."""

    env: dict[str, str]
    log_path: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            with self.log_path.open("ab") as log_file:
                self.processes.append(
                    subprocess.Popen(
                        [str(Path(sys.executable).parent / "flask"), "--app", "app", "worker"],
                        cwd=PROJECT_ROOT,
                        env=self.env,
                        stdout=log_file,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

    def kill(self) -> None:
        """SIGKILL every worker with all its descendants, as a crashed machine would (RQ's
        work horse runs in a process group of its own, so the group alone is not enough)."""
        doomed = [pid for process in self.processes for pid in _process_tree(process.pid)]
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for process in self.processes:
            process.wait(10)
        self.processes.clear()

    def kill_one(self) -> None:
        """SIGKILL the oldest worker with all its descendants (the others keep working)."""
        if not self.processes:
            return
        process = self.processes.pop(0)
        for pid in _process_tree(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        self.processes.clear()


def _process_tree(root: int) -> list[int]:
    """``root`` and every process below it, children first (read from /proc; Linux only)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name may contain spaces; the fields after its ')' are fixed.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        tree.append(pid)
        frontier.extend(child for child, parent in parents.items() if parent == pid)
    return tree[::-1]


@dataclass
class Stack:
    app: Flask
    rackbeat: Flask
    dinero: Flask
    app_url: str
    rackbeat_url: str
    dinero_url: str
    worker_log: Path
    workers: Workers | None = None


def worker_environment(
    config: dict[str, Any], instance_path: Path, extra: dict[str, Any] | None = None
) -> dict[str, str]:
    """The worker's environment: the stack's settings, plus ``extra`` app settings (e.g.
    ``{"TRANSFER_LEASE_SECONDS": 5}``) passed as ``RACKDINERO_*`` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACKDINERO_")}
    for key in ENV_KEYS:
        env[f"RACKDINERO_{key}"] = str(config[key])
    for key, value in (extra or {}).items():
        env[f"RACKDINERO_{key}"] = str(value)
    env["RACKDINERO_INSTANCE_PATH"] = str(instance_path)
    return env


@contextlib.contextmanager
def running_stack(
    app_config: dict[str, Any],
    tmp_path: Path,
    *,
    rackbeat_config: dict[str, Any] | None = None,
    dinero_config: dict[str, Any] | None = None,
    worker_config: dict[str, Any] | None = None,
    workers: int = 1,
) -> Iterator[Stack]:
    """``worker_config`` adds app settings for the worker processes only (the in-thread app
    takes ``app_config``); ``workers`` is how many ``flask worker`` processes start."""
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
        "VISMA_CONNECT_URL": f"{dinero_url}/visma-connect",  # the Dinero sandbox's stand-in
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()
    rackbeat = create_rackbeat(
        {"APP_BASE_URL": app_url, "PUBLIC_URL": rackbeat_url, **(rackbeat_config or {})}
    )
    dinero = create_dinero({"VALIDATE_RESPONSES": True, **(dinero_config or {})})
    worker_log = tmp_path / "worker.log"
    pool = Workers(
        worker_environment(config, tmp_path / "worker-instance", worker_config), worker_log
    )
    pool.start(workers)
    try:
        with (
            serve_app(rackbeat, port=rackbeat_port),
            serve_app(dinero, port=dinero_port),
            serve_app(app, port=app_port),
        ):
            yield Stack(app, rackbeat, dinero, app_url, rackbeat_url, dinero_url, worker_log, pool)
    finally:
        pool.stop()
