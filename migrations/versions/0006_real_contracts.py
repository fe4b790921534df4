"""real Rackbeat and Dinero contracts: webhook notices that wait, contract B's settings secret,
Visma Connect sign-in, and the purchase voucher's file in Dinero's archive

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inbox_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting', sa.Boolean(), nullable=True))
        batch_op.drop_constraint('uq_inbox_events_connection_id_event_key_delivery_hash', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_inbox_events_connection_id_event_key_delivery_hash_waiting'), ['connection_id', 'event', 'key', 'delivery_hash', 'waiting'])
    # A notice still waiting for its job keeps the old behaviour; the rest may come again.
    op.execute("UPDATE inbox_events SET waiting = TRUE WHERE processed_at IS NULL")

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rackbeat_contract', sa.String(length=16), server_default='oauth', nullable=False))
        batch_op.add_column(sa.Column('settings_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('dinero_sign_in', sa.String(length=16), server_default='api_key', nullable=False))
        batch_op.add_column(sa.Column('dinero_refresh_token', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('dinero_sign_in_lost_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dinero_file_guid', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_column('dinero_file_guid')

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_column('dinero_sign_in_lost_at')
        batch_op.drop_column('dinero_refresh_token')
        batch_op.drop_column('dinero_sign_in')
        batch_op.drop_column('settings_secret')
        batch_op.drop_column('rackbeat_contract')

    op.execute("DELETE FROM inbox_events WHERE waiting IS NULL AND id NOT IN (SELECT MIN(id) FROM inbox_events GROUP BY connection_id, event, key, delivery_hash)")
    with op.batch_alter_table('inbox_events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inbox_events_connection_id_event_key_delivery_hash_waiting', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_inbox_events_connection_id_event_key_delivery_hash'), ['connection_id', 'event', 'key', 'delivery_hash'])
        batch_op.drop_column('waiting')
