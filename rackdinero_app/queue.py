"""Redis and RQ wiring: one Redis client and the named queues, kept on ``app.extensions``."""

from __future__ import annotations

from flask import Flask
from flask import current_app
from redis import Redis
from rq import Queue


class RedisQueue:
    """Holds the Redis connection and the RQ queues for the app."""

    def init_app(self, app: Flask) -> None:
        connection = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
        queues = {name: Queue(name, connection=connection) for name in app.config["RQ_QUEUES"]}
        app.extensions["rackdinero.rq"] = {"redis": connection, "queues": queues}

    @staticmethod
    def _state() -> dict:
        return current_app.extensions["rackdinero.rq"]

    @property
    def redis(self) -> Redis:
        return self._state()["redis"]

    def queue(self, name: str = "default") -> Queue:
        return self._state()["queues"][name]

    @property
    def queues(self) -> list[Queue]:
        return list(self._state()["queues"].values())
