"""subscriber revisions: an index of (id, revision)

A resync first reads which of its bridge's synced records still hold (sync/last_synced):
each kept record's subscriber must be at the revision that sync left. Read from the
subscriber table, a million such checks visit a page of wide rows each (netFORUM Pro's
random keys: in no order); this narrow index holds them in a fraction of the pages, so the
check reads the index alone (1,000,000 netFORUM Pro records: 4.5 -> 1.6 s, with the link
looked up by its key). New subscribers' ids grow, so keeping it up costs an append each:
inserting 912,844 new subscribers 4.7-6.0 -> 6.2-7.0 s, once, against 3 s saved on every
resync of those records after it. SQLite only: PostgreSQL plans the check through the
subscriber's key and a filter whether the index is there or not (1M iMIS records: 2.7-3.0 s
either way), so there it would only cost the inserts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 03:00:00.000000
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _on_sqlite():
        op.create_index("ix_subscriber_revision", "subscriber", ["id", "revision"])


def downgrade() -> None:
    if _on_sqlite():
        op.drop_index("ix_subscriber_revision", table_name="subscriber")
