"""synced records: what each bridge's records looked like when last synced

A resync of a group where little changed spent most of its time staging and comparing a
million records that were as before. `synced_record` keeps, per AMS record, a digest of it as
last synced and where it went; `subscriber.revision` counts the writes to a subscriber, so a
record is passed over only while its subscriber is exactly as that sync left it
(sync/last_synced.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 04:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an added column with a constant default: neither database copies the table
    op.add_column("subscriber",
                  sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "synced_record",
        sa.Column("bridge_id", sa.Integer(), nullable=False),
        sa.Column("ams_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("sub_revision", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.String(length=400), nullable=True),
        sa.Column("raw_email", sa.String(length=400), nullable=True),
        sa.Column("email_key", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(["bridge_id"], ["bridge.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bridge_id", "ams_id"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("synced_record")
    with op.batch_alter_table("subscriber") as batch:
        batch.drop_column("revision")
