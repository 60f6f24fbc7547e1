"""Per target group: members now, and what the latest resync fetched and excluded, by reason.

Seed 000, "Why isn't my target group count what I think it should be?": the answer is the
exclusion breakdown of the group's latest live resync, read from the mirror alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, Exclusion, Membership, SyncRun, TargetGroup


@dataclass
class GroupCounts:
    group_id: int
    bridge: str
    name: str
    remote_key: str
    folder: str
    members: int
    last_synced_at: datetime | None
    last_run_id: int | None = None
    fetched: int | None = None
    expected: int | None = None
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> records
    kind: str = "query"
    # Personify (seed 001): data is only as fresh as the list's last regeneration.
    regeneration: str = ""  # e.g. "Weekly, last 2026-11-01 02:00"
    stale: bool = False

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def latest_resync(session: Session, group_id: int) -> SyncRun | None:
    return session.scalar(
        select(SyncRun)
        .where(SyncRun.group_id == group_id, SyncRun.kind == "resync_group",
               SyncRun.mode == "live", SyncRun.status == "succeeded")
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(1)
    )


def group_counts(session: Session, group: TargetGroup, bridge_name: str) -> GroupCounts:
    members = session.scalar(
        select(func.count()).select_from(Membership).where(Membership.group_id == group.id)
    )
    counts = GroupCounts(group.id, bridge_name, group.name, group.remote_key, group.folder,
                         members or 0, group.last_synced_at, kind=group.kind)
    detail = group.detail or {}
    if detail.get("regeneration_frequency") or detail.get("last_regenerated_on"):
        last = detail.get("last_regenerated_on")
        when = f"{datetime.fromisoformat(last):%Y-%m-%d %H:%M}" if last else "never"
        counts.regeneration = (f"{detail.get('regeneration_frequency') or 'no frequency'}, "
                               f"last regenerated {when}")
    counts.stale = detail.get("stale") == "yes"
    run = latest_resync(session, group.id)
    if run is not None:
        counts.last_run_id, counts.fetched, counts.expected = run.id, run.fetched, run.expected
        counts.excluded = dict(session.execute(
            select(Exclusion.reason, func.count())
            .where(Exclusion.run_id == run.id)
            .group_by(Exclusion.reason)
            .order_by(func.count().desc())
        ).all())
    return counts


def all_counts(session: Session, group_ids: list[int] | None = None) -> list[GroupCounts]:
    query = (select(TargetGroup, Bridge.name).join(Bridge)
             .order_by(Bridge.name, TargetGroup.folder, TargetGroup.name))
    if group_ids is not None:
        query = query.where(TargetGroup.id.in_(group_ids))
    return [group_counts(session, g, b) for g, b in session.execute(query)]
