import pytest
from cryptography.fernet import Fernet

from rackdinero_app import create_app
from rackdinero_app.config import REQUIRED_IN_PRODUCTION
from rackdinero_app.config import ConfigError
from tests.foundation.production import PRODUCTION_SETTINGS

STRONG_SECRET_KEY = PRODUCTION_SETTINGS["SECRET_KEY"]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in (*REQUIRED_IN_PRODUCTION, "ENV"):
        monkeypatch.delenv(f"RACKDINERO_{name}", raising=False)
    monkeypatch.setenv("RACKDINERO_INSTANCE_PATH", str(tmp_path))
    return monkeypatch


def test_production_without_secret_key_names_the_variable(clean_env):
    clean_env.setenv("RACKDINERO_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    with pytest.raises(ConfigError, match="RACKDINERO_SECRET_KEY"):
        create_app()


@pytest.fixture
def client_secrets(clean_env):
    """Every required setting but the two keys, from the environment as a deploy gives them."""
    for name, value in PRODUCTION_SETTINGS.items():
        if name not in ("ENV", "SECRET_KEY"):
            clean_env.setenv(f"RACKDINERO_{name}", value)
    return clean_env


def test_production_without_encryption_key_names_the_variable(clean_env, client_secrets):
    clean_env.setenv("RACKDINERO_SECRET_KEY", STRONG_SECRET_KEY)
    with pytest.raises(ConfigError) as raised:
        create_app()
    assert "RACKDINERO_ENCRYPTION_KEYS" in str(raised.value)
    assert "RACKDINERO_SECRET_KEY" not in str(raised.value)


def test_malformed_encryption_key_is_refused(clean_env, client_secrets):
    clean_env.setenv("RACKDINERO_SECRET_KEY", STRONG_SECRET_KEY)
    clean_env.setenv("RACKDINERO_ENCRYPTION_KEYS", "not-a-fernet-key")
    with pytest.raises(ConfigError, match="key 1 is not a valid Fernet key"):
        create_app()


def test_unknown_environment_is_refused(clean_env):
    clean_env.setenv("RACKDINERO_ENV", "staging")
    with pytest.raises(ConfigError, match="RACKDINERO_ENV must be one of"):
        create_app()


def test_demo_runs_with_no_configuration_at_all(clean_env, tmp_path):
    clean_env.setenv("RACKDINERO_ENV", "demo")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'rackdinero.sqlite'}"
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert app.config["DINERO_API_URL"] == "http://127.0.0.1:5002"
    assert app.config["RACKBEAT_BASE_URL"] == "http://127.0.0.1:5001"


def test_prefixed_environment_variables_override_defaults(clean_env):
    clean_env.setenv("RACKDINERO_ENV", "demo")
    clean_env.setenv("RACKDINERO_REDIS_URL", "redis://cache.internal:6380/2")
    clean_env.setenv("RACKDINERO_WORKER_HEARTBEAT_MAX_AGE", "90")
    app = create_app()
    assert app.config["REDIS_URL"] == "redis://cache.internal:6380/2"
    assert app.config["WORKER_HEARTBEAT_MAX_AGE"] == 90


@pytest.mark.parametrize(
    "missing",
    [
        "RACKBEAT_CLIENT_SECRET",
        "DINERO_CLIENT_SECRET",
        "RACKBEAT_CONSUMER_CONTACT",
        "PUBLIC_URL",
        "RACKBEAT_BASE_URL",
        "DINERO_API_URL",
        "DINERO_AUTH_URL",
    ],
)
def test_production_without_a_client_secret_names_the_variable(clean_env, client_secrets, missing):
    clean_env.setenv("RACKDINERO_SECRET_KEY", STRONG_SECRET_KEY)
    clean_env.setenv("RACKDINERO_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    clean_env.delenv(f"RACKDINERO_{missing}")
    with pytest.raises(ConfigError) as raised:
        create_app()
    assert str(raised.value).startswith(f"Missing required setting(s): RACKDINERO_{missing}.")


def test_production_with_required_settings_starts(clean_env, client_secrets):
    clean_env.setenv("RACKDINERO_SECRET_KEY", STRONG_SECRET_KEY)
    clean_env.setenv(
        "RACKDINERO_ENCRYPTION_KEYS",
        f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
    )
    app = create_app()
    assert app.config["ENV"] == "production"
