"""Count drift: a target group whose synced count moved sharply against its recent runs.

The latest live resync's member count is compared with the mean of the (up to) five live
resyncs before it; a move of more than the user's `drift_warning_percent` either way is a
warning. A sudden drop usually means the AMS query or its data changed, not the members.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, SyncRun, TargetGroup

RUNS_COMPARED = 5


@dataclass(frozen=True)
class CountDrift:
    group_id: int
    bridge: str
    group: str
    run_id: int  # the latest resync
    members: int  # what it left
    mean: float  # the mean of the runs before it
    runs: int  # how many runs the mean is over

    @property
    def percent(self) -> float:
        """Signed: negative when the count fell. From a mean of 0, any count is +100%."""
        if self.mean == 0:
            return 100.0 if self.members else 0.0
        return 100.0 * (self.members - self.mean) / self.mean

    def sentence(self) -> str:
        direction = "up" if self.percent > 0 else "down"
        against = ("its previous run" if self.runs == 1
                   else f"the mean of its previous {self.runs} runs")
        return (f"{self.group!r} ({self.bridge}) has {self.members:,} synced members, "
                f"{direction} {abs(self.percent):.0f}% against {against} ({self.mean:,.0f}).")


def _recent_counts(session: Session, bridge_id: int | None) -> dict[int, list[tuple[int, int]]]:
    """Per group, newest first: (run id, members after) of its latest live resyncs."""
    rank = func.row_number().over(partition_by=SyncRun.group_id,
                                  order_by=(SyncRun.started_at.desc(), SyncRun.id.desc()))
    ranked = select(SyncRun.group_id, SyncRun.id, SyncRun.members_after,
                    rank.label("rank")).where(
        SyncRun.group_id.is_not(None), SyncRun.kind == "resync_group", SyncRun.mode == "live",
        SyncRun.status == "succeeded", SyncRun.members_after.is_not(None))
    if bridge_id is not None:
        ranked = ranked.where(SyncRun.bridge_id == bridge_id)
    runs = ranked.subquery()
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for group_id, run_id, members, _ in session.execute(
            select(runs).where(runs.c.rank <= RUNS_COMPARED + 1)
            .order_by(runs.c.group_id, runs.c.rank)):
        found[group_id].append((run_id, members))
    return found


def count_drift(session: Session, bridge_id: int | None, percent: float) -> list[CountDrift]:
    """Groups whose latest synced count moved more than `percent` against the mean of the
    runs before it, largest move first."""
    moved = []
    for group_id, runs in _recent_counts(session, bridge_id).items():
        if len(runs) < 2:
            continue  # nothing to compare with yet
        (run_id, members), earlier = runs[0], [m for _, m in runs[1:]]
        drift = CountDrift(group_id, "", "", run_id, members, sum(earlier) / len(earlier),
                           len(earlier))
        if abs(drift.percent) > percent:
            moved.append(drift)
    return sorted(_named(session, moved), key=lambda d: -abs(d.percent))


def _named(session: Session, moved: list[CountDrift]) -> list[CountDrift]:
    if not moved:
        return []
    names = {gid: (bridge, group) for gid, bridge, group in session.execute(
        select(TargetGroup.id, Bridge.name, TargetGroup.name).join(Bridge)
        .where(TargetGroup.id.in_([d.group_id for d in moved])))}
    return [CountDrift(d.group_id, *names[d.group_id], d.run_id, d.members, d.mean, d.runs)
            for d in moved if d.group_id in names]
