"""The baseline of ``bench/webhooks.py``: the least a webhook endpoint can do.

A bare Flask app with one route, ``POST /bare``, that reads the JSON body and INSERTs one row
(the delivery's key) into a table of the same PostgreSQL database, committed, through a pooled
SQLAlchemy engine with the app's own engine options. It runs under the same gunicorn settings
as the real app, so the bench's ratio says what the app's ingest (tenant look-up, token check,
validation, the inbox's duplicate check, the RQ job) costs on top of "a request and a commit".

Gunicorn builds it with ``bench.webhook_baseline:create_app()``; the database URL comes from
``BENCH_DATABASE_URL``.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask
from flask import jsonify
from flask import request

metadata = sa.MetaData()

deliveries = sa.Table(
    "bench_bare_deliveries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("key", sa.String(128), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)


def create_app(database_url: str | None = None) -> Flask:
    """One route and one engine (pool per gunicorn worker, made after the fork)."""
    app = Flask(__name__)
    engine = sa.create_engine(database_url or os.environ["BENCH_DATABASE_URL"], pool_pre_ping=True)

    @app.post("/bare")
    def receive():
        body = request.get_json(force=True, silent=True) or {}
        with engine.begin() as connection:
            connection.execute(deliveries.insert().values(key=str(body.get("key", ""))[:128]))
        return jsonify(status="accepted"), 202

    return app
