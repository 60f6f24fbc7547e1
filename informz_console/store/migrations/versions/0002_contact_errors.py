"""contact errors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:54:48.945024
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_error",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bridge_id", sa.Integer(), nullable=False),
        sa.Column("ams_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("system_error", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["bridge_id"], ["bridge.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["sync_run.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_error", schema=None) as batch_op:
        batch_op.create_index("ix_contact_error_contact", ["bridge_id", "ams_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contact_error", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_error_contact")

    op.drop_table("contact_error")
