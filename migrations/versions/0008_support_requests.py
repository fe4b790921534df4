"""support requests: a customer's "Ask support to set this up" (assisted setup), its state and
support's answer, at most one waiting request per connection

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OPEN_STATES = "state IN ('open', 'in_progress')"


def upgrade():
    op.create_table('support_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('open', 'in_progress', 'done', 'declined', name='supportrequeststate', native_enum=False), nullable=False),
    sa.Column('requested_by', sa.String(length=255), nullable=False),
    sa.Column('message', sa.String(length=1000), nullable=True),
    sa.Column('staff_note', sa.String(length=1000), nullable=True),
    sa.Column('handled_by', sa.String(length=255), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_support_requests_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_requests'))
    )
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_requests_connection_id'), ['connection_id'], unique=False)
        # One waiting request per connection, so two clicks at once make one request.
        batch_op.create_index('ix_support_requests_one_open', ['connection_id'], unique=True, sqlite_where=sa.text(OPEN_STATES), postgresql_where=sa.text(OPEN_STATES))


def downgrade():
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_support_requests_one_open')
        batch_op.drop_index(batch_op.f('ix_support_requests_connection_id'))

    op.drop_table('support_requests')
