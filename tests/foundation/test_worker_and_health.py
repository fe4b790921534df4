"""Jobs run in a real RQ worker process on real Redis; /healthz reports what is down."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rq import Worker

from rackdinero_app import PROJECT_ROOT
from rackdinero_app import create_app
from rackdinero_app.extensions import rq
from rackdinero_app.tasks import diagnostics
from sandbox.services import free_port


@pytest.fixture
def worker_env(app_config, tmp_path) -> dict[str, str]:
    """The test app's configuration as RACKDINERO_* variables, for a worker process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RACKDINERO_")}
    for key in ("ENV", "SECRET_KEY", "ENCRYPTION_KEYS", "SQLALCHEMY_DATABASE_URI", "REDIS_URL"):
        env[f"RACKDINERO_{key}"] = str(app_config[key])
    env["RACKDINERO_INSTANCE_PATH"] = str(tmp_path / "instance")
    return env


def flask_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "flask"), "--app", "app", *args]


def run_worker_burst(env: dict[str, str]) -> None:
    subprocess.run(
        flask_command("worker", "--burst"), env=env, cwd=PROJECT_ROOT, check=True, timeout=60
    )


def wait_until_idle(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if [w for w in Worker.all(connection=rq.redis) if w.get_state() == "idle"]:
            return
        time.sleep(0.1)
    raise TimeoutError("the worker never became idle")


def test_jobs_run_in_a_worker_inside_the_app_context(app, worker_env, make_connection):
    make_connection()
    job = rq.queue().enqueue(diagnostics.probe)

    run_worker_burst(worker_env)

    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value() == {"app": "rackdinero_app", "env": "test", "connections": 1}


def test_healthz_is_ok_while_a_worker_runs_and_503_after_it_stops(app, client, worker_env):
    worker = subprocess.Popen(flask_command("worker"), env=worker_env, cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 30
        response = client.get("/healthz")
        while response.json["worker"]["ok"] is False and time.monotonic() < deadline:
            time.sleep(0.2)
            response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json["status"] == "ok"
        assert response.json["database"] == {"ok": True}
        assert response.json["redis"] == {"ok": True}
        assert response.json["worker"] == {"ok": True, "workers": 1}
        wait_until_idle()  # its signal handlers are in place, so SIGTERM is a warm shutdown
    finally:
        worker.terminate()
        worker.wait(30)

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["worker"]["ok"] is False


def test_healthz_without_any_worker_is_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["worker"]["error"] == "no worker has sent a heartbeat recently"
    assert response.json["database"]["ok"] is True


def test_healthz_with_redis_down_is_503(app_config):
    app = create_app({**app_config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"] == {"ok": False, "error": "ConnectionError"}
    assert response.json["worker"]["ok"] is False


def test_healthz_with_database_down_is_503(app_config, redis, tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite'}"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": unreachable})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == {"ok": False, "error": "OperationalError"}


def test_an_idle_worker_keeps_waiting_instead_of_restarting(app, worker_env, tmp_path):
    """RQ blocks on Redis for minutes while idle; a short socket timeout on that connection
    made the worker quit ("Redis connection timeout") and start again every few seconds."""
    log_path = tmp_path / "worker.log"
    env = {**worker_env, "RACKDINERO_REDIS_SOCKET_TIMEOUT": "1"}
    with log_path.open("wb") as log_file:
        worker = subprocess.Popen(
            flask_command("worker"), env=env, cwd=PROJECT_ROOT, stdout=log_file, stderr=log_file
        )
    try:
        wait_until_idle()
        (first,) = Worker.all(connection=rq.redis)
        time.sleep(7)  # longer than any socket timeout the app sets (1 s here, 5 s by default)
        assert [w.name for w in Worker.all(connection=rq.redis)] == [first.name]
        assert Worker.find_by_key(first.key, connection=rq.redis).get_state() == "idle"
    finally:
        worker.terminate()
        worker.wait(30)
    log = log_path.read_text()
    assert "Redis connection timeout" not in log
    assert "Starting the worker again" not in log
