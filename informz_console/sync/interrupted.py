"""Runs whose console process died (killed, crashed, machine off) stay `running` in the sync
log; they are shown as `interrupted` once seen from the same machine. Nothing of such a run
was applied: its merge transaction never committed, and the database rolled it back.

On a SQLite mirror a run started on another machine cannot be checked from here and is left
as it is; a PostgreSQL mirror knows which runs are alive from the locks their consoles hold
(sync/locks.py), whatever machine they run on.
"""

from __future__ import annotations

import os
import socket

from sqlalchemy import Connection, Engine, select, update

from informz_console.domain.clock import Clock
from informz_console.store.models import SyncRun
from informz_console.sync.locks import claimed_bridges, tracks_live_runs

INTERRUPTED = ("The console stopped before this run finished; nothing of it was applied.")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def mark_interrupted(engine: Engine, clock: Clock) -> int:
    """Mark the dead `running` runs interrupted; returns how many. A run is dead when its
    process on this machine is gone or, on PostgreSQL, when no console holds its bridge."""
    host = socket.gethostname()
    with engine.begin() as conn:
        running = conn.execute(
            select(SyncRun.id, SyncRun.bridge_id, SyncRun.owner)
            .where(SyncRun.status == "running")
        ).all()
        live = claimed_bridges(conn) if tracks_live_runs(conn) else None
        dead = [run_id for run_id, bridge_id, owner in running
                if _died_here(owner, host) or (live is not None and bridge_id not in live)]
        if dead:
            conn.execute(update(SyncRun).where(SyncRun.id.in_(dead)).values(
                status="interrupted", finished_at=clock.now(), error=INTERRUPTED))
    return len(dead)


def _died_here(owner: str | None, host: str) -> bool:
    if not owner:
        return False
    where, _, pid = owner.rpartition(":")
    return where == host and pid.isdigit() and not _alive(int(pid))


def interrupt_runs_of(conn: Connection, bridge_id: int, clock: Clock) -> None:
    """A console holding the bridge (PostgreSQL) knows its other `running` runs are dead."""
    conn.execute(update(SyncRun).where(SyncRun.bridge_id == bridge_id,
                                       SyncRun.status == "running").values(
        status="interrupted", finished_at=clock.now(), error=INTERRUPTED))
