"""sync runs: preview, heartbeat, cancel and the states of a start sync; sync_records, one row
per Dinero record a sync run handled (replaces sync_runs.skipped)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 18:41:10.034005

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sync_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('customer', 'supplier', 'product', 'customer_invoice', 'credit_note', 'supplier_invoice', 'goods_consumption', name='entitykind', native_enum=False), nullable=False),
    sa.Column('dinero_guid', sa.String(length=36), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=True),
    sa.Column('outcome', sa.Enum('created', 'linked', 'skipped', 'failed', name='syncoutcome', native_enum=False), nullable=False),
    sa.Column('reason_code', sa.String(length=64), nullable=True),
    sa.Column('message_params', sa.JSON(), nullable=True),
    sa.Column('rackbeat_key', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_runs.id'], name=op.f('fk_sync_records_sync_run_id_sync_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_records')),
    sa.UniqueConstraint('sync_run_id', 'kind', 'dinero_guid', name=op.f('uq_sync_records_sync_run_id_kind_dinero_guid'))
    )
    with op.batch_alter_table('sync_records', schema=None) as batch_op:
        batch_op.create_index('ix_sync_records_run_outcome', ['sync_run_id', 'outcome'], unique=False)

    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preview', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('requested_by', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('state',
               existing_type=sa.VARCHAR(length=9),
               type_=sa.Enum('previewing', 'ready', 'pending', 'running', 'succeeded', 'failed', 'cancelled', name='syncstate', native_enum=False),
               existing_nullable=False)
        batch_op.drop_column('skipped')
    # The defaults only filled the rows that existed; the app always writes both columns.
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.alter_column('preview', server_default=None)
        batch_op.alter_column('cancel_requested', server_default=None)



def downgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.alter_column('state',
               existing_type=sa.Enum('previewing', 'ready', 'pending', 'running', 'succeeded', 'failed', 'cancelled', name='syncstate', native_enum=False),
               type_=sa.VARCHAR(length=9),
               existing_nullable=False)
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('cancel_requested')
        batch_op.drop_column('requested_by')
        batch_op.drop_column('preview')

    with op.batch_alter_table('sync_records', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_records_run_outcome')

    op.drop_table('sync_records')
