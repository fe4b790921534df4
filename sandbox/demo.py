"""`make demo`: the app, an RQ worker with scheduler, both sandboxes and Redis, on loopback.

Everything runs on embedded defaults (RACKDINERO_ENV=demo: SQLite under instance/, Redis on
localhost). Ctrl-C stops every process this started. Ports can be changed with
RACKDINERO_DEMO_PORT (app, 5000), SANDBOX_RACKBEAT_PORT (5001), SANDBOX_DINERO_PORT (5002)
and RACKDINERO_DEMO_REDIS_PORT (6379).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sandbox.services import wait_for_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(port: int, name: str, timeout: float = 30) -> None:
    try:
        wait_for_port(port, timeout)
    except TimeoutError:
        raise SystemExit(f"{name} did not start on port {port}") from None


def main() -> int:
    app_port = int(os.environ.get("RACKDINERO_DEMO_PORT", 5000))
    rackbeat_port = int(os.environ.get("SANDBOX_RACKBEAT_PORT", 5001))
    dinero_port = int(os.environ.get("SANDBOX_DINERO_PORT", 5002))
    redis_port = int(os.environ.get("RACKDINERO_DEMO_REDIS_PORT", 6379))
    instance = ROOT / "instance"
    instance.mkdir(exist_ok=True)

    app_url = f"http://127.0.0.1:{app_port}"
    rackbeat_url = f"http://127.0.0.1:{rackbeat_port}"
    dinero_url = f"http://127.0.0.1:{dinero_port}"
    env = {
        **os.environ,
        "RACKDINERO_ENV": "demo",
        "RACKDINERO_PUBLIC_URL": app_url,
        "RACKDINERO_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "RACKDINERO_RACKBEAT_BASE_URL": rackbeat_url,
        "RACKDINERO_DINERO_API_URL": dinero_url,
        "RACKDINERO_DINERO_AUTH_URL": dinero_url,
        "RACKDINERO_VISMA_CONNECT_URL": f"{dinero_url}/visma-connect",
        "SANDBOX_RACKBEAT_PORT": str(rackbeat_port),
        "SANDBOX_DINERO_PORT": str(dinero_port),
        "SANDBOX_RACKBEAT_APP_BASE_URL": app_url,
        "FLASK_APP": "app",
    }
    processes: list[tuple[str, subprocess.Popen]] = []

    def start(name: str, command: list[str]) -> None:
        processes.append((name, subprocess.Popen(command, cwd=ROOT, env=env)))

    def stop(*_: object) -> None:
        for _name, process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for _name, process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if port_open(redis_port):
            print(f"Using the Redis already listening on port {redis_port}.")
        else:
            redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
            start(
                "redis",
                [
                    redis_server,
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(instance),
                    "--save",
                    "60 1",
                    "--loglevel",
                    "warning",
                ],
            )
            wait_for(redis_port, "Redis")
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True)
        # The support dashboard's demo operator (fixed password and TOTP secret, demo only).
        subprocess.run([str(BIN / "flask"), "support", "demo-staff"], cwd=ROOT, env=env, check=True)
        start("rackbeat sandbox", [str(BIN / "python"), "-m", "sandbox.rackbeat"])
        start("dinero sandbox", [str(BIN / "python"), "-m", "sandbox.dinero"])
        start("worker", [str(BIN / "flask"), "worker"])
        start("web", [str(BIN / "flask"), "run", "--host", "127.0.0.1", "--port", str(app_port)])
        for port, name in (
            (app_port, "app"),
            (rackbeat_port, "Rackbeat sandbox"),
            (dinero_port, "Dinero sandbox"),
        ):
            wait_for(port, name)
        # A second installation with a failing transfer, for the support dashboard.
        seeded = subprocess.run(
            [str(BIN / "python"), "-m", "sandbox.demo_support"], cwd=ROOT, env=env, check=False
        )
        if seeded.returncode != 0:
            print("The demo's second installation could not be set up; the rest runs on.")
        print(
            "\n"
            "rackdinero demo is running (Ctrl-C stops everything):\n"
            f"  App            {app_url}   (health: {app_url}/healthz)\n"
            f"  Rackbeat       {rackbeat_url}   (catalogue: {rackbeat_url}/apps)\n"
            "                 Dinero installs with catalogue OAuth, Dinero (integration request)\n"
            "                 with Rackbeat's onboarding; both reach this app.\n"
            f"  Dinero         {dinero_url}\n"
            f"  Visma Connect  {dinero_url}/visma-connect/   (demo users, revoke access)\n"
            f"  Support        {app_url}/support/login   (support@rackdinero.example,\n"
            "                 password demo-support-password; the one-time code:\n"
            "                 RACKDINERO_ENV=demo .venv/bin/flask --app app support demo-code,\n"
            "                 or the key DEMOSUPPORTRACKDINEROTOTPSECRETX in an authenticator)\n"
            "                 Anden Butik ApS (Rackbeat account 23456) is installed with a\n"
            "                 missing revenue account: its invoice waits as a failure to fix.\n",
            flush=True,
        )
        while all(process.poll() is None for _name, process in processes):
            time.sleep(0.5)
        for name, process in processes:
            if process.poll() is not None:
                print(f"{name} exited with code {process.returncode}; stopping the demo.")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
