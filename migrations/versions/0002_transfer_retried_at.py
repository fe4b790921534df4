"""transfers.retried_at: when someone last pressed Retry on a transfer

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 17:58:22.345405

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retried_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_column('retried_at')

