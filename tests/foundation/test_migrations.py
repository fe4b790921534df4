"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade

from rackdinero_app.extensions import db


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_downgrade_upgrade(any_db_app):
    db.drop_all()
    upgrade()
    assert {"connections", "transfers", "entity_links", "audit_entries"} <= table_names()
    downgrade(revision="base")
    assert table_names() <= {"alembic_version"}
    upgrade()
    assert set(db.metadata.tables) <= table_names()


def test_models_and_migrations_agree(any_db_app):
    db.drop_all()
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    downgrade(revision="base")
