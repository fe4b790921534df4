"""Local services for tests, benchmarks and the demo: Redis and PostgreSQL on free ports.

Nothing here uses a fixed port or a system service, so the suite runs on a clean machine
and beside a running demo.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Listening ports come from below Linux's ephemeral range (32768-60999): a port the kernel
# hands out for port 0 may be given to the next outgoing connection (to Redis, PostgreSQL, a
# sandbox) before our server binds it, which made a server start fail now and then.
_LISTEN_PORTS = range(20000, 32768)
_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, never handed out before in this process."""
    for _ in range(1000):
        port = random.choice(_LISTEN_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port found for a test server")


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start ``redis-server`` on a free port without persistence; yield its URL."""
    executable = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="rackdinero-redis-") as workdir:
        process = subprocess.Popen(
            [
                executable,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


def _postgres_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    return shutil.which(name) or name


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster in a temporary directory; yield a SQLAlchemy URL.

    PostgreSQL refuses to run as root, so under root the cluster belongs to ``postgres``.
    """
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="rackdinero-pg-"))
    datadir = workdir / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(workdir, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *run_as,
            _postgres_bin("initdb"),
            "-D",
            str(datadir),
            "-U",
            "rackdinero",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [
            *run_as,
            _postgres_bin("postgres"),
            "-D",
            str(datadir),
            "-p",
            str(port),
            "-k",
            str(workdir),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        _wait_until_accepting(port)
        yield f"postgresql+psycopg://rackdinero@127.0.0.1:{port}/postgres"
    finally:
        server.terminate()
        server.wait(20)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_accepting(port: int, timeout: float = 20.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(
                host="127.0.0.1", port=port, user="rackdinero", dbname="postgres"
            ).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
