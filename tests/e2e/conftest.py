"""The end-to-end tests run on both backends: SQLite and the session's PostgreSQL cluster (the
database production uses), with an empty schema for each test. The fault tests, which are about
killed processes, lost answers and restarted services rather than SQL, and take the longest,
run on PostgreSQL only (``@pytest.mark.backends("postgresql")``): production's database is the
one whose claims and locks must hold under them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.stack import running_stack

BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test on every backend, or on those its ``backends`` marker names."""
    if "app_config" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    backends = marker.args if marker is not None else BACKENDS
    metafunc.parametrize("app_config", backends, indirect=True)


@pytest.fixture
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
