"""The sync log: runs newest first, filterable, and one run's detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, Exclusion, RunLog, SyncRun, TargetGroup


@dataclass(frozen=True)
class RunRow:
    id: int
    bridge: str
    group: str | None
    trigger: str
    kind: str
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    added: int
    updated: int
    removed: int
    excluded: int
    members_after: int | None
    error: str | None

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


def _query():  # type: ignore[no-untyped-def]
    return (select(SyncRun, Bridge.name, TargetGroup.name).select_from(SyncRun)
            .join(Bridge, Bridge.id == SyncRun.bridge_id)
            .outerjoin(TargetGroup, TargetGroup.id == SyncRun.group_id))


def _row(r: SyncRun, bridge: str, group: str | None) -> RunRow:
    return RunRow(r.id, bridge, group, r.trigger, r.kind, r.mode, r.status, r.started_at,
                  r.finished_at, r.fetched, r.added, r.updated, r.removed, r.excluded,
                  r.members_after, r.error)


def list_runs(session: Session, *, bridge: str | None = None, status: str | None = None,
              trigger: str | None = None, since: datetime | None = None,
              limit: int = 50) -> list[RunRow]:
    query = _query().order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)
    if bridge:
        query = query.where(func.lower(Bridge.name) == bridge.lower())
    if status:
        query = query.where(SyncRun.status == status)
    if trigger:
        query = query.where(SyncRun.trigger == trigger)
    if since:
        query = query.where(SyncRun.started_at >= since)
    return [_row(*found) for found in session.execute(query)]


@dataclass
class RunDetail:
    run: RunRow
    log: list[tuple[datetime, str, str]]
    excluded_by_reason: dict[str, int]


def run_detail(session: Session, run_id: int) -> RunDetail | None:
    found = session.execute(_query().where(SyncRun.id == run_id)).first()
    if found is None:
        return None
    log = list(session.execute(select(RunLog.at, RunLog.level, RunLog.message)
                               .where(RunLog.run_id == run_id).order_by(RunLog.id)))
    by_reason = dict(session.execute(select(Exclusion.reason, func.count())
                                     .where(Exclusion.run_id == run_id)
                                     .group_by(Exclusion.reason)).all())
    return RunDetail(_row(*found), log, by_reason)


def runs_by_id(session: Session, ids: list[int]) -> dict[int, RunRow]:
    """The rows of these runs (for a table that holds only run ids); missing ids are left out."""
    if not ids:
        return {}
    return {row.id: row for row in (_row(*found) for found in
                                     session.execute(_query().where(SyncRun.id.in_(ids))))}
