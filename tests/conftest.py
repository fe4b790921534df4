"""Shared fixtures: the app on a fresh database, real Redis, and builders for rows."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from joserfc import jwt
from joserfc.jwk import OctKey
from redis import Redis

from rackdinero_app import create_app
from rackdinero_app.extensions import db as _db
from rackdinero_app.models import Connection
from rackdinero_app.models.enums import ConnectionState
from sandbox import services

TEST_ENCRYPTION_KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for the whole session, on a free port."""
    with services.redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster, started the first time a test asks for it."""
    with services.postgres_server() as url:
        yield url


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def app_config(tmp_path, redis_url: str) -> dict[str, Any]:
    return {
        "ENV": "test",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "REDIS_URL": redis_url,
    }


@pytest.fixture
def app(app_config: dict[str, Any], redis: Redis) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Both supported backends: a fresh SQLite file, and the session's PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'any.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def any_db_app(app_config: dict[str, Any], database_url: str, redis: Redis) -> Iterator[Flask]:
    """The app on SQLite and then on PostgreSQL, with the schema created from the models."""
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        _drop_everything()
        _db.create_all()
        yield app
        _db.session.remove()
        _drop_everything()
        _db.engine.dispose()


def _drop_everything() -> None:
    """Empty the shared PostgreSQL database, migration bookkeeping included."""
    _db.drop_all()
    with _db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def db(app: Flask):
    return _db


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_connection(db) -> Callable[..., Connection]:
    """Build and save a connection; every field can be overridden."""
    counter = iter(range(1, 1_000_000))

    def build(**fields: Any) -> Connection:
        number = next(counter)
        values: dict[str, Any] = {
            "rackbeat_account_id": 9_000 + number,
            "rackbeat_company_name": f"Test company {number}",
            "state": ConnectionState.ACTIVE,
            "rackbeat_access_token": f"rb-access-{number}",
            "rackbeat_refresh_token": f"rb-refresh-{number}",
            "dinero_organization_id": 400_555,
            "dinero_api_key": f"dinero-api-key-{number}",
        }
        values.update(fields)
        connection = Connection(**values)
        db.session.add(connection)
        db.session.commit()
        return connection

    return build


@pytest.fixture
def launch_token(app):
    """Mint a launch token as Rackbeat's settings page does; any claim can be overridden."""

    def mint(account_id: int, *, secret: str | None = None, **claims) -> str:
        now = int(time.time())
        payload = {
            "iss": app.config["RACKBEAT_BASE_URL"],
            "aud": app.config["RACKBEAT_CLIENT_ID"],
            "sub": str(account_id),
            "user": {"id": 7, "name": "Mette Demo", "email": "mette@demo-lager.dk", "locale": "da"},
            "iat": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        }
        payload.update(claims)
        key = OctKey.import_key(secret or app.config["RACKBEAT_CLIENT_SECRET"])
        return jwt.encode({"alg": "HS256"}, payload, key)

    return mint


@pytest.fixture
def open_session(client, launch_token):
    """Launch the embedded pages for an account and return the session token."""

    def launch(account_id: int) -> str:
        response = client.get("/embedded/launch", query_string={"launch": launch_token(account_id)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return parse_qs(urlparse(response.location).query)["s"][0]

    return launch
