"""The sync log: one `sync_run` row per run, its log lines, and how it ended.

The run row is committed as `running` before any work, so a run that dies is still visible;
its final status, counts and log lines are written in the same transaction as the merge (a
run never says "succeeded" for work that did not commit), or after the rollback when it fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, insert, update

from informz_console.domain.clock import Clock
from informz_console.store.models import RunLog, SyncRun
from informz_console.sync.owners import this_process


@dataclass
class RunCounts:
    expected: int | None = None
    fetched: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    excluded: int = 0
    members_after: int | None = None


@dataclass
class RunRecorder:
    clock: Clock
    run_id: int = 0
    lines: list[tuple[datetime, str, str]] = field(default_factory=list)

    def start(self, conn: Connection, *, bridge_id: int, group_id: int | None, trigger: str,
              kind: str, mode: str) -> int:
        result = conn.execute(
            insert(SyncRun).values(
                bridge_id=bridge_id, group_id=group_id, trigger=trigger, kind=kind, mode=mode,
                status="running", started_at=self.clock.now(), owner=this_process(),
            )
        )
        self.run_id = result.inserted_primary_key[0]
        return self.run_id

    def log(self, message: str, level: str = "info") -> None:
        self.lines.append((self.clock.now(), level, message))

    def finish(self, conn: Connection, status: str, counts: RunCounts,
               error: str | None = None) -> None:
        conn.execute(
            update(SyncRun).where(SyncRun.id == self.run_id).values(
                status=status, finished_at=self.clock.now(), error=error,
                expected=counts.expected, fetched=counts.fetched, added=counts.added,
                updated=counts.updated, removed=counts.removed, excluded=counts.excluded,
                members_after=counts.members_after,
            )
        )
        self.flush(conn)

    def flush(self, conn: Connection) -> None:
        """Write the pending log lines (also after the run row is final)."""
        if self.lines:
            conn.execute(
                insert(RunLog),
                [{"run_id": self.run_id, "at": at, "level": lvl, "message": msg}
                 for at, lvl, msg in self.lines],
            )
        self.lines.clear()
