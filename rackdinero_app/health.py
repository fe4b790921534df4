"""``GET /healthz``: database, Redis and worker status for load balancers and support."""

from __future__ import annotations

from datetime import UTC
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint
from flask import current_app
from flask import jsonify
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy.exc import SQLAlchemyError

from rackdinero_app.extensions import db
from rackdinero_app.extensions import rq
from rackdinero_app.models.base import utcnow

bp = Blueprint("health", __name__)


def database_status() -> dict:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def redis_status() -> dict:
    try:
        rq.redis.ping()
    except RedisError as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def worker_status() -> dict:
    """Alive means: some worker serving our queues sent a heartbeat recently."""
    max_age = timedelta(seconds=current_app.config["WORKER_HEARTBEAT_MAX_AGE"])
    our_queues = {queue.name for queue in rq.queues}
    try:
        workers = Worker.all(connection=rq.redis)
    except RedisError as error:
        return {"ok": False, "error": type(error).__name__, "workers": 0}
    now = utcnow()
    alive = [
        worker
        for worker in workers
        if worker.last_heartbeat is not None
        and now - _aware(worker.last_heartbeat) <= max_age
        and our_queues & set(worker.queue_names())
    ]
    status = {"ok": bool(alive), "workers": len(alive)}
    if not alive:
        status["error"] = "no worker has sent a heartbeat recently"
    return status


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.get("/healthz")
def healthz():
    checks = {
        "database": database_status(),
        "redis": redis_status(),
        "worker": worker_status(),
    }
    healthy = all(check["ok"] for check in checks.values())
    return jsonify(status="ok" if healthy else "degraded", **checks), 200 if healthy else 503
