"""blocked subscribers: a partial index of the unsubscribed, opted-out and bad-email ones

A resync looked up the subscriber of each of its million records to find the few that may
not be synced (sync/resolve.mark_blocked_in_mirror). Led by this index instead, it visits
the blocked subscribers only; an index of those alone costs nothing to keep up as active
subscribers come and go.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 19:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# as in store/models.py at this revision (domain/subscriber_status.BLOCKING_STATUS_REASON)
_BLOCKED = sa.text("status IN ('unsubscribed', 'opted_out', 'bad_email')")


def upgrade() -> None:
    op.create_index("ix_subscriber_blocked", "subscriber", ["id"],
                    sqlite_where=_BLOCKED, postgresql_where=_BLOCKED)


def downgrade() -> None:
    op.drop_index("ix_subscriber_blocked", table_name="subscriber")
