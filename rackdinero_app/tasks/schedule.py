"""Periodic jobs, declared in one place, enqueued once per interval however many workers run.

Each worker process runs a small ticker thread; a Redis ``SET NX`` per interval decides which
worker enqueues, so schedules need no separate process and survive any worker dying.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from flask import Flask
from redis.exceptions import RedisError

from rackdinero_app.extensions import rq

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    func: str
    interval_setting: str


PERIODIC = (Periodic("sweep", "rackdinero_app.tasks.transfers.sweep", "SWEEP_INTERVAL_SECONDS"),)


def tick(app: Flask, now: float | None = None) -> list[str]:
    """Enqueue every periodic job whose interval slot nobody has claimed yet."""
    now = time.time() if now is None else now
    enqueued = []
    for periodic in PERIODIC:
        interval = int(app.config[periodic.interval_setting])
        slot = int(now // interval)
        claim = f"rackdinero:periodic:{periodic.name}:{slot}"
        if rq.redis.set(claim, 1, nx=True, ex=interval * 2):
            rq.queue().enqueue(periodic.func, job_timeout=300, result_ttl=60)
            enqueued.append(periodic.name)
    return enqueued


def start_ticker(app: Flask, every: float = 1.0) -> threading.Thread:
    def loop() -> None:
        while True:
            try:
                with app.app_context():
                    tick(app)
            except RedisError as error:
                log.warning("Periodic jobs paused: Redis is unavailable (%s)", error)
            time.sleep(every)

    thread = threading.Thread(target=loop, name="rackdinero-ticker", daemon=True)
    thread.start()
    return thread
