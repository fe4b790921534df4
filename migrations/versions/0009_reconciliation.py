"""reconciliation (RC1): runs per connection and month, their items, the Dinero ledger a run
read, and the identity round of a transfer sent again after its voucher was deleted in Dinero

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OPEN_STATES = "state IN ('queued', 'running')"
ACTOR_TYPES = ('staff', 'rackbeat_user', 'system')
KINDS = ('customer', 'supplier', 'product', 'customer_invoice', 'credit_note', 'supplier_invoice', 'goods_consumption')


def upgrade():
    op.create_table('reconciliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'finished', 'failed', name='reconciliationstate', native_enum=False), nullable=False),
    sa.Column('actor_type', sa.Enum(*ACTOR_TYPES, name='actortype', native_enum=False), nullable=False),
    sa.Column('requested_by', sa.String(length=255), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=True),
    sa.Column('records_read', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('dinero_requests', sa.Integer(), nullable=False),
    sa.Column('rackbeat_requests', sa.Integer(), nullable=False),
    sa.Column('message_code', sa.String(length=64), nullable=True),
    sa.Column('message_params', sa.JSON(), nullable=True),
    sa.Column('job_id', sa.String(length=128), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_reconciliations_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliations'))
    )
    with op.batch_alter_table('reconciliations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconciliations_connection_id'), ['connection_id'], unique=False)
        # One waiting or running reconciliation per connection: two clicks start one.
        batch_op.create_index('ix_reconciliations_one_open', ['connection_id'], unique=True, sqlite_where=sa.text(OPEN_STATES), postgresql_where=sa.text(OPEN_STATES))

    op.create_table('reconciliation_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reconciliation_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.Enum('matched', 'missing', 'amount_differs', 'unlinked', 'twice', name='reconciliationgroup', native_enum=False), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='entitykind', native_enum=False), nullable=False),
    sa.Column('rackbeat_number', sa.String(length=128), nullable=True),
    sa.Column('document_date', sa.Date(), nullable=True),
    sa.Column('rackbeat_total', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('dinero_total', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('dinero_guid', sa.String(length=255), nullable=True),
    sa.Column('dinero_number', sa.String(length=64), nullable=True),
    sa.Column('dinero_status', sa.String(length=16), nullable=True),
    sa.Column('reason_code', sa.String(length=64), nullable=True),
    sa.Column('reason_params', sa.JSON(), nullable=True),
    sa.Column('fixed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fix', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['reconciliation_id'], ['reconciliations.id'], name=op.f('fk_reconciliation_items_reconciliation_id_reconciliations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_items'))
    )
    with op.batch_alter_table('reconciliation_items', schema=None) as batch_op:
        batch_op.create_index('ix_reconciliation_items_run_group', ['reconciliation_id', 'group'], unique=False)

    op.create_table('reconciliation_ledgers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('read_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vouchers', sa.JSON(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_reconciliation_ledgers_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_ledgers')),
    sa.UniqueConstraint('connection_id', 'month', name=op.f('uq_reconciliation_ledgers_connection_id_month'))
    )

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_round', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_column('identity_round')
    op.drop_table('reconciliation_ledgers')
    with op.batch_alter_table('reconciliation_items', schema=None) as batch_op:
        batch_op.drop_index('ix_reconciliation_items_run_group')
    op.drop_table('reconciliation_items')
    with op.batch_alter_table('reconciliations', schema=None) as batch_op:
        batch_op.drop_index('ix_reconciliations_one_open')
        batch_op.drop_index(batch_op.f('ix_reconciliations_connection_id'))
    op.drop_table('reconciliations')
