"""Retention of the sync log: old sync runs, with their log lines, row changes and exclusions,
are deleted after a number of days kept as a mirror setting (`setting.retention_days`).

What is never pruned, whatever its age:
- a run still `running` (or with no finish time): it is not history yet;
- the newest finished run of each target group, and its newest succeeded live run: the
  counts and "why is this subscriber (not) in this group" read the latest run's exclusions;
- the newest finished run of each kind without a group (list refresh, partial, full) on each
  bridge, so the sync log still says when each last ran.

A prune runs in small transactions (a batch of runs, then their child rows a chunk at a
time), so a large prune never holds the mirror's write lock for long; stopping part-way
leaves only whole runs, or old runs with part of their child rows, both safe to prune again.
Child rows are deleted explicitly rather than left to ON DELETE CASCADE, so a mirror whose
foreign keys are off (SQLite's default outside `open_engine`) behaves like PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Engine,
    and_,
    delete,
    func,
    select,
    text,
    union,
)
from sqlalchemy.dialects import postgresql, sqlite

from informz_console.domain.clock import Clock
from informz_console.store.models import Setting, SyncRun

RETENTION_SETTING = "retention_days"
DEFAULT_RETENTION_DAYS = 90
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 1, 3650
RUN_BATCH = 200  # runs chosen per round
ROW_CHUNK = 10_000  # child rows deleted per transaction
CHILD_TABLES = ("run_log", "run_change", "exclusion")


@dataclass
class PruneResult:
    cutoff: datetime  # runs that finished before this were pruned
    runs: int = 0
    log_lines: int = 0
    changes: int = 0
    exclusions: int = 0

    def sentence(self) -> str:
        return (
            f"Pruned {self.runs:,} sync runs finished before {self.cutoff:%Y-%m-%d} "
            f"({self.log_lines:,} log lines, {self.changes:,} row changes, "
            f"{self.exclusions:,} exclusions)."
        )


# -- the setting --------------------------------------------------------------------------


def retention_days(engine: Engine) -> int:
    """The mirror's retention in days; the default when unset or unreadable (a hand-edited
    value must not stop the console, and the default keeps more than it deletes)."""
    with engine.connect() as conn:
        value = conn.execute(
            select(Setting.value).where(Setting.name == RETENTION_SETTING)
        ).scalar_one_or_none()
    try:
        days = int(value) if value is not None else DEFAULT_RETENTION_DAYS
    except ValueError:
        return DEFAULT_RETENTION_DAYS
    return days if _in_range(days) else DEFAULT_RETENTION_DAYS


def set_retention_days(engine: Engine, days: int) -> None:
    check_retention_days(days)
    with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(Setting).values(name=RETENTION_SETTING, value=str(days))
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[Setting.name], set_={"value": statement.excluded.value}
            )
        )


def check_retention_days(days: object) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not _in_range(days):
        raise ValueError(
            f"Sync runs are kept between {MIN_RETENTION_DAYS} and "
            f"{MAX_RETENTION_DAYS:,} days; choose a whole number of days in that range "
            f"(not {days!r})."
        )


def _in_range(days: int) -> bool:
    return MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS


# -- the prune ----------------------------------------------------------------------------


def prune_runs(engine: Engine, clock: Clock, *, keep_days: int | None = None) -> PruneResult:
    """Delete the sync runs that finished more than `keep_days` ago (default: the mirror's
    `retention_days` setting), except those the module doc keeps."""
    keep_days = retention_days(engine) if keep_days is None else keep_days
    check_retention_days(keep_days)
    result = PruneResult(cutoff=clock.now() - timedelta(days=keep_days))
    while run_ids := _prunable(engine, result.cutoff):
        result.log_lines += _delete_children(engine, "run_log", run_ids)
        result.changes += _delete_children(engine, "run_change", run_ids)
        result.exclusions += _delete_children(engine, "exclusion", run_ids)
        with engine.begin() as conn:
            result.runs += conn.execute(delete(SyncRun).where(SyncRun.id.in_(run_ids))).rowcount
    return result


def _prunable(engine: Engine, cutoff: datetime) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(SyncRun.id)
                .where(_finished(), SyncRun.finished_at < cutoff, SyncRun.id.not_in(_kept_runs()))
                .order_by(SyncRun.id)
                .limit(RUN_BATCH)
            ).scalars()
        )


def _finished() -> ColumnElement[bool]:
    return and_(SyncRun.status != "running", SyncRun.finished_at.is_not(None))


def _kept_runs() -> CompoundSelect:
    """The runs kept whatever their age. "Newest" is the highest id: ids are given as runs
    start, so it is the run that started last."""
    newest = select(func.max(SyncRun.id)).where(_finished())
    in_group = newest.where(SyncRun.group_id.is_not(None)).group_by(SyncRun.group_id)
    applied = in_group.where(SyncRun.status == "succeeded", SyncRun.mode == "live")
    groupless = newest.where(SyncRun.group_id.is_(None)).group_by(SyncRun.bridge_id, SyncRun.kind)
    return union(in_group, applied, groupless)


def _delete_children(engine: Engine, table: str, run_ids: list[int]) -> int:
    """Delete one child table's rows of these runs, ROW_CHUNK rows per transaction."""
    ids = ", ".join(str(int(run_id)) for run_id in run_ids)
    statement = text(
        f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "
        f"WHERE run_id IN ({ids}) LIMIT {ROW_CHUNK})"
    )
    deleted = 0
    while True:
        with engine.begin() as conn:
            count = conn.execute(statement).rowcount
        deleted += count
        if count < ROW_CHUNK:
            return deleted
