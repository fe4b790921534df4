"""sync runs: why a run stopped, as a message code with parameters (shown in the reader's
language)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('message_params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_column('message_params')
        batch_op.drop_column('message_code')
