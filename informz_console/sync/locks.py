"""The locks that give a PostgreSQL mirror the guarantees SQLite's single writer gives.

On SQLite every write transaction begins IMMEDIATE (store/engine.py): merges never overlap,
and the busy check of a bridge and the run row it guards are one step. PostgreSQL lets writers
run side by side, so there the same is asked for with advisory locks:
- `lock_merges`: held to the end of the merge transaction; merges (syncs of any bridge, uploads)
  run one at a time, so none resolves the stage against rows another is changing.
- `claim_bridge`: held by a run's own connection for the whole run. A second sync of the bridge
  cannot take it and is refused; a run left `running` whose bridge nobody holds belongs to a
  console that died, on whatever machine (the server lets go when the connection dies).
On SQLite all of these are no-ops.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, text

MERGE_LOCK = 0x1F02_0002  # pg_advisory_xact_lock(bigint): the one merge at a time
BRIDGE_LOCKS = 0x1F02  # pg_advisory_lock(int, int): (BRIDGE_LOCKS, bridge id)
CLAIM_TRIES = 10  # a console killed a moment ago: the server lets go of its lock within ms
CLAIM_PAUSE = 0.1


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def lock_merges(conn: Connection) -> None:
    """Wait for any other merge to commit; call first in the merge transaction."""
    if _postgres(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK})


def tracks_live_runs(conn: Connection) -> bool:
    """Whether this mirror can tell a running run from one whose console died."""
    return _postgres(conn)


def claim_bridge(conn: Connection, bridge_id: int) -> bool:
    """Take the bridge for this connection's session; False when another console holds it."""
    if not _postgres(conn):
        return True
    for attempt in range(CLAIM_TRIES):
        if conn.execute(text("SELECT pg_try_advisory_lock(:ns, CAST(:id AS INTEGER))"),
                        {"ns": BRIDGE_LOCKS, "id": bridge_id}).scalar_one():
            conn.commit()  # the lock is the session's; end the transaction that asked for it
            return True
        conn.rollback()
        if attempt + 1 < CLAIM_TRIES:
            time.sleep(CLAIM_PAUSE)
    return False


def release_bridge(conn: Connection, bridge_id: int) -> None:
    if _postgres(conn):
        conn.execute(text("SELECT pg_advisory_unlock(:ns, CAST(:id AS INTEGER))"),
                     {"ns": BRIDGE_LOCKS, "id": bridge_id})
        conn.commit()


def claimed_bridges(conn: Connection) -> set[int]:
    """The bridges some console's run holds now (PostgreSQL only)."""
    return {int(objid) for (objid,) in conn.execute(text(
        "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = :ns "
        "AND objsubid = 2 AND granted AND database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"),
        {"ns": BRIDGE_LOCKS})}
