"""transfers.message_code and message_params: the message as a catalogue code and parameters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:12:40.118262

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('message_params', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_column('message_params')
        batch_op.drop_column('message_code')

