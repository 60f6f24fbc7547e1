"""Runs whose console process died (killed, crashed, machine off) stay `running` in the sync
log; they are shown as `interrupted` once seen from the same machine. Nothing of such a run
was applied: its merge transaction never committed, and the database rolled it back.

On a SQLite mirror a run started on another machine cannot be checked from here and is left
as it is; a PostgreSQL mirror knows which runs are alive from the locks their consoles hold
(sync/locks.py), whatever machine they run on.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select, update

from informz_console.domain.clock import Clock
from informz_console.store.models import SyncRun
from informz_console.sync.locks import claimed_bridges, tracks_live_runs
from informz_console.sync.owners import owner_is_gone

INTERRUPTED = ("The console stopped before this run finished; nothing of it was applied.")


def mark_interrupted(engine: Engine, clock: Clock) -> int:
    """Mark the dead `running` runs interrupted; returns how many. A run is dead when its
    process on this machine is gone or, on PostgreSQL, when no console holds its bridge."""
    with engine.begin() as conn:
        running = conn.execute(
            select(SyncRun.id, SyncRun.bridge_id, SyncRun.owner)
            .where(SyncRun.status == "running")
        ).all()
        live = claimed_bridges(conn) if tracks_live_runs(conn) else None
        dead = [run_id for run_id, bridge_id, owner in running
                if owner_is_gone(owner) or (live is not None and bridge_id not in live)]
        if dead:
            conn.execute(update(SyncRun).where(SyncRun.id.in_(dead)).values(
                status="interrupted", finished_at=clock.now(), error=INTERRUPTED))
    return len(dead)


def interrupt_runs_of(conn: Connection, bridge_id: int, clock: Clock) -> None:
    """A console holding the bridge (PostgreSQL) knows its other `running` runs are dead."""
    conn.execute(update(SyncRun).where(SyncRun.bridge_id == bridge_id,
                                       SyncRun.status == "running").values(
        status="interrupted", finished_at=clock.now(), error=INTERRUPTED))
