import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from rackdinero_app import create_app
from rackdinero_app.crypto import SecretUnreadable
from rackdinero_app.extensions import db
from rackdinero_app.models import Connection
from rackdinero_app.models import WebhookSubscription

API_KEY = "dinero-api-key-PLAINTEXT-4711"
ACCESS_TOKEN = "rackbeat-access-PLAINTEXT-0815"


def raw_rows(table: str) -> str:
    """Every stored value of a table as one string, read past the ORM."""
    rows = db.session.execute(sa.text(f"SELECT * FROM {table}")).all()
    return " ".join(str(value) for row in rows for value in row)


def test_secrets_are_not_stored_in_plaintext(make_connection):
    connection = make_connection(dinero_api_key=API_KEY, rackbeat_access_token=ACCESS_TOKEN)
    connection.webhook_subscriptions.append(
        WebhookSubscription(event="customer.created", token="webhook-token-PLAINTEXT-42")
    )
    db.session.commit()

    stored = raw_rows("connections") + raw_rows("webhook_subscriptions")
    assert "PLAINTEXT" not in stored
    assert "gAAAAA" in stored  # Fernet tokens are there instead

    db.session.expire_all()
    reloaded = db.session.get(Connection, connection.id)
    assert reloaded.dinero_api_key == API_KEY
    assert reloaded.rackbeat_access_token == ACCESS_TOKEN
    assert reloaded.webhook_subscriptions[0].token == "webhook-token-PLAINTEXT-42"


def test_repr_never_shows_a_secret(make_connection):
    connection = make_connection(dinero_api_key=API_KEY)
    assert API_KEY not in repr(connection)


def test_rotation_re_encrypts_with_the_newest_key(app_config, redis, tmp_path):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    database = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'rotate.sqlite'}"}

    old_app = create_app({**app_config, **database, "ENCRYPTION_KEYS": old_key})
    with old_app.app_context():
        db.create_all()
        db.session.add(Connection(rackbeat_account_id=1, dinero_api_key=API_KEY))
        db.session.commit()
        before = raw_rows("connections")

    both_app = create_app({**app_config, **database, "ENCRYPTION_KEYS": f"{new_key},{old_key}"})
    result = both_app.test_cli_runner().invoke(args=["crypto", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 secret(s)" in result.output

    new_only_app = create_app({**app_config, **database, "ENCRYPTION_KEYS": new_key})
    with new_only_app.app_context():
        assert raw_rows("connections") != before
        assert db.session.scalar(sa.select(Connection.dinero_api_key)) == API_KEY
        db.engine.dispose()


def test_a_secret_without_its_key_is_reported_not_garbled(app_config, redis, tmp_path):
    database = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lost.sqlite'}"}
    first = create_app(
        {**app_config, **database, "ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    )
    with first.app_context():
        db.create_all()
        db.session.add(Connection(rackbeat_account_id=1, dinero_api_key=API_KEY))
        db.session.commit()
    other = create_app(
        {**app_config, **database, "ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    )
    with other.app_context(), pytest.raises(SecretUnreadable, match="flask crypto rotate"):
        db.session.scalar(sa.select(Connection.dinero_api_key))


def test_new_key_command_prints_a_valid_key(runner):
    result = runner.invoke(args=["crypto", "new-key"])
    Fernet(result.output.strip())
