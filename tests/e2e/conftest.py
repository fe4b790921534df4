"""The end-to-end and fault tests run on both backends: SQLite and the session's PostgreSQL
cluster (the database production uses), with an empty schema for each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.stack import running_stack


@pytest.fixture(params=["sqlite", "postgresql"])
def app_config(request, app_config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if request.param == "sqlite":
        yield app_config
        return
    url = request.getfixturevalue("postgres_url")
    empty_database(url)
    yield {**app_config, "SQLALCHEMY_DATABASE_URI": url}
    empty_database(url)


def empty_database(url: str) -> None:
    """Drop every table of the shared PostgreSQL database (each stack creates its schema)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture
def stack(app_config, tmp_path, redis):
    with running_stack(app_config, tmp_path) as stack:
        yield stack
