"""support staff login: roles viewer/operator, an encrypted TOTP secret, a forced password
change at first sign-in, the last sign-in, and disabling by date instead of a flag

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # The column grows first: 'operator' does not fit the old VARCHAR(7).
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=sa.Enum('support', 'admin', name='staffrole', native_enum=False), type_=sa.Enum('viewer', 'operator', name='staffrole', native_enum=False), existing_nullable=False)
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_counter', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE staff_users SET role = 'operator' WHERE role = 'admin'")
    op.execute("UPDATE staff_users SET role = 'viewer' WHERE role = 'support'")
    # Nobody could sign in before: every existing account sets a new password first.
    op.execute("UPDATE staff_users SET must_change_password = TRUE")
    op.execute("UPDATE staff_users SET disabled_at = CURRENT_TIMESTAMP WHERE NOT is_active")

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.alter_column('must_change_password', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column('is_active')


def downgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_active', sa.Boolean(), nullable=True))
    op.execute("UPDATE staff_users SET is_active = (disabled_at IS NULL)")
    op.execute("UPDATE staff_users SET role = 'admin' WHERE role = 'operator'")
    op.execute("UPDATE staff_users SET role = 'support' WHERE role = 'viewer'")

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.alter_column('is_active', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column('disabled_at')
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('totp_last_counter')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('must_change_password')
        batch_op.alter_column('role', existing_type=sa.Enum('viewer', 'operator', name='staffrole', native_enum=False), type_=sa.Enum('support', 'admin', name='staffrole', native_enum=False), existing_nullable=False)
