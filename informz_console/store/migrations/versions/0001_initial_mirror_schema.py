"""initial mirror schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:06:09.634520
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "bridge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secret_name", sa.String(length=200), nullable=True),
        sa.Column("accepted_statuses", sa.String(length=200), nullable=False),
        sa.Column("email_source", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_list_refresh_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("change_high_water", sa.Integer(), nullable=False),
        sa.Column("personalization_fields", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "email_verdict",
        sa.Column("raw", sa.String(length=400), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=400), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("corrected", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("raw"),
    )
    op.create_table(
        "mailing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "setting",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("status_reason", sa.String(length=200), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("company", sa.String(length=300), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_key"),
    )
    op.create_table(
        "subscriber_link",
        sa.Column("bridge_id", sa.Integer(), nullable=False),
        sa.Column("ams_id", sa.String(length=64), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bridge_id"], ["bridge.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bridge_id", "ams_id"),
        sa.UniqueConstraint("bridge_id", "subscriber_id"),
    )
    with op.batch_alter_table("subscriber_link", schema=None) as batch_op:
        batch_op.create_index("ix_subscriber_link_subscriber", ["subscriber_id"], unique=False)

    op.create_table(
        "target_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bridge_id", sa.Integer(), nullable=False),
        sa.Column("remote_key", sa.String(length=400), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("folder", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_in_mailing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("removed_from_ams_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["bridge_id"], ["bridge.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bridge_id", "remote_key"),
    )
    op.create_table(
        "writeback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bridge_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["bridge_id"], ["bridge.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("writeback", schema=None) as batch_op:
        batch_op.create_index("ix_writeback_state", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "compound_member",
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["compound_id"], ["target_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["target_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("compound_id", "member_id"),
    )
    op.create_table(
        "mailing_group",
        sa.Column("mailing_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["target_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mailing_id"], ["mailing.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("mailing_id", "group_id"),
    )
    op.create_table(
        "membership",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("added_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["target_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscriber.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "subscriber_id"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index("ix_membership_subscriber", ["subscriber_id"], unique=False)

    op.create_table(
        "sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bridge_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Integer(), nullable=False),
        sa.Column("members_after", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["bridge_id"], ["bridge.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["target_group.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index("ix_sync_run_group_started", ["group_id", "started_at"], unique=False)

    op.create_table(
        "exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("ams_id", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=400), nullable=True),
        sa.Column("email_key", sa.String(length=400), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["sync_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exclusion", schema=None) as batch_op:
        batch_op.create_index("ix_exclusion_email", ["email_key"], unique=False)
        batch_op.create_index("ix_exclusion_run_reason", ["run_id", "reason"], unique=False)

    op.create_table(
        "run_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("subscriber_id", sa.Integer(), nullable=True),
        sa.Column("ams_id", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=400), nullable=True),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["sync_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run_change", schema=None) as batch_op:
        batch_op.create_index("ix_run_change_run", ["run_id"], unique=False)
        batch_op.create_index("ix_run_change_subscriber", ["subscriber_id"], unique=False)

    op.create_table(
        "run_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["sync_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run_log", schema=None) as batch_op:
        batch_op.create_index("ix_run_log_run", ["run_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("run_log", schema=None) as batch_op:
        batch_op.drop_index("ix_run_log_run")

    op.drop_table("run_log")
    with op.batch_alter_table("run_change", schema=None) as batch_op:
        batch_op.drop_index("ix_run_change_subscriber")
        batch_op.drop_index("ix_run_change_run")

    op.drop_table("run_change")
    with op.batch_alter_table("exclusion", schema=None) as batch_op:
        batch_op.drop_index("ix_exclusion_run_reason")
        batch_op.drop_index("ix_exclusion_email")

    op.drop_table("exclusion")
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_run_group_started")

    op.drop_table("sync_run")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index("ix_membership_subscriber")

    op.drop_table("membership")
    op.drop_table("mailing_group")
    op.drop_table("compound_member")
    with op.batch_alter_table("writeback", schema=None) as batch_op:
        batch_op.drop_index("ix_writeback_state")

    op.drop_table("writeback")
    op.drop_table("target_group")
    with op.batch_alter_table("subscriber_link", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriber_link_subscriber")

    op.drop_table("subscriber_link")
    op.drop_table("subscriber")
    op.drop_table("setting")
    op.drop_table("mailing")
    op.drop_table("email_verdict")
    op.drop_table("bridge")
