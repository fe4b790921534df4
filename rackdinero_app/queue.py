"""Redis and RQ wiring: one Redis client and the named queues, kept on ``app.extensions``."""

from __future__ import annotations

from flask import Flask
from flask import current_app
from redis import Redis
from rq import Queue


class RedisQueue:
    """Holds the Redis connection and the RQ queues for the app."""

    def init_app(self, app: Flask) -> None:
        # Web requests and jobs give Redis a few seconds, never minutes.
        connection = Redis.from_url(
            app.config["REDIS_URL"],
            socket_connect_timeout=2,
            socket_timeout=app.config["REDIS_SOCKET_TIMEOUT"],
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

    @staticmethod
    def worker_connection() -> Redis:
        """A separate connection for RQ's worker loop. An idle worker blocks on Redis for
        minutes (BLPOP), so this connection has no short socket timeout: RQ sets one just above
        its dequeue timeout. A Redis that goes away still ends the wait with a connection error."""
        return Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_keepalive=True
        )
