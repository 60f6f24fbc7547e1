"""What each sync run did to one subscriber (added, updated, linked, removed, and why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from informz_console.store.models import RunChange, SyncRun, TargetGroup
from informz_console.store.queries.labels import reason_label


@dataclass(frozen=True)
class HistoryEntry:
    run_id: int
    at: datetime
    trigger: str
    kind: str
    group: str | None
    change: str
    reason: str  # label, "" when none
    detail: str | None

    def sentence(self) -> str:
        where = f" {self.group!r}" if self.group else ""
        why = f": {self.reason}" if self.reason else ""
        extra = f" ({self.detail})" if self.detail else ""
        return (f"{self.at:%Y-%m-%d %H:%M} run #{self.run_id} ({self.trigger} {self.kind})"
                f" {self.change}{where}{why}{extra}")


def subscriber_history(session: Session, subscriber_id: int | None, email_key: str,
                       group_id: int | None = None) -> list[HistoryEntry]:
    """Live runs only: a dry run's preview is not history."""
    who = [RunChange.email == email_key]
    if subscriber_id is not None:
        who.append(RunChange.subscriber_id == subscriber_id)
    query = (
        select(RunChange, SyncRun, TargetGroup.name)
        .join(SyncRun, SyncRun.id == RunChange.run_id)
        .outerjoin(TargetGroup, TargetGroup.id == RunChange.group_id)
        .where(or_(*who), SyncRun.mode == "live")
        .order_by(SyncRun.started_at, RunChange.id)
    )
    if group_id is not None:
        query = query.where(or_(RunChange.group_id == group_id, RunChange.group_id.is_(None)))
    return [
        HistoryEntry(run.id, run.started_at, run.trigger, run.kind, group_name, change.change,
                     reason_label(change.reason), change.detail)
        for change, run, group_name in session.execute(query)
    ]
