"""Runs whose console process died (killed, crashed, machine off) stay `running` in the sync
log; they are shown as `interrupted` once seen from the same machine. Nothing of such a run
was applied: its merge transaction never committed, and the database rolled it back.

A run started on another machine (a shared team mirror) cannot be checked from here and is
left as it is.
"""

from __future__ import annotations

import os
import socket

from sqlalchemy import Engine, select, update

from informz_console.domain.clock import Clock
from informz_console.store.models import SyncRun

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
    """Mark this machine's dead `running` runs interrupted; returns how many."""
    host = socket.gethostname()
    with engine.begin() as conn:
        running = conn.execute(
            select(SyncRun.id, SyncRun.owner).where(SyncRun.status == "running")
        ).all()
        dead = [run_id for run_id, owner in running
                if owner and owner.rpartition(":")[0] == host
                and owner.rpartition(":")[2].isdigit()
                and not _alive(int(owner.rpartition(":")[2]))]
        if dead:
            conn.execute(update(SyncRun).where(SyncRun.id.in_(dead)).values(
                status="interrupted", finished_at=clock.now(), error=INTERRUPTED))
    return len(dead)
