"""Sync health across a bridge (or all of them): what the latest live resync of each group
excluded, by reason; runs whose latest attempt failed; contacts the AMS refused.

Seed 000, "Why isn't my target group count what I think it should be?": the exclusions of the
latest live resync are the answer, so they are what this adds up, group by group. Count drift
(a group's synced count jumping) is in `drift.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, ContactError, Exclusion, SyncRun, TargetGroup
from informz_console.store.queries.drift import CountDrift, count_drift
from informz_console.store.queries.labels import reason_label


@dataclass(frozen=True)
class ReasonTotal:
    reason: str
    label: str
    records: int
    groups: int  # how many groups' latest resync excluded records for this reason


@dataclass(frozen=True)
class FailedRun:
    run_id: int
    bridge: str
    group: str | None
    kind: str
    started_at: datetime
    error: str


@dataclass(frozen=True)
class ContactErrorTotal:
    system_error: str
    contacts: int


@dataclass
class SyncHealth:
    bridge_id: int | None  # None: every bridge
    reasons: list[ReasonTotal] = field(default_factory=list)
    failed: list[FailedRun] = field(default_factory=list)
    contact_errors: list[ContactErrorTotal] = field(default_factory=list)
    drift: list[CountDrift] = field(default_factory=list)

    @property
    def excluded(self) -> int:
        return sum(r.records for r in self.reasons)


def latest_resync_ids(bridge_id: int | None) -> Select:
    """The id of each group's latest succeeded live resync (as `counts.latest_resync`)."""
    rank = func.row_number().over(partition_by=SyncRun.group_id,
                                  order_by=(SyncRun.started_at.desc(), SyncRun.id.desc()))
    ranked = (select(SyncRun.id, rank.label("rank"))
              .where(SyncRun.group_id.is_not(None), SyncRun.kind == "resync_group",
                     SyncRun.mode == "live", SyncRun.status == "succeeded"))
    if bridge_id is not None:
        ranked = ranked.where(SyncRun.bridge_id == bridge_id)
    runs = ranked.subquery()
    return select(runs.c.id).where(runs.c.rank == 1)


def reason_totals(session: Session, bridge_id: int | None) -> list[ReasonTotal]:
    found = session.execute(
        select(Exclusion.reason, func.count(), func.count(func.distinct(Exclusion.run_id)))
        .where(Exclusion.run_id.in_(latest_resync_ids(bridge_id)))
        .group_by(Exclusion.reason)
        .order_by(func.count().desc(), Exclusion.reason)
    )
    return [ReasonTotal(reason, reason_label(reason), records, groups)
            for reason, records, groups in found]


def failed_runs(session: Session, bridge_id: int | None) -> list[FailedRun]:
    """Each kind of live run (per bridge and group) whose latest attempt failed: an error
    that a later success has not cleared."""
    rank = func.row_number().over(
        partition_by=(SyncRun.bridge_id, SyncRun.group_id, SyncRun.kind),
        order_by=(SyncRun.started_at.desc(), SyncRun.id.desc()))
    ranked = select(SyncRun.id, SyncRun.status, rank.label("rank")).where(
        SyncRun.mode == "live", SyncRun.status.in_(("succeeded", "failed")))
    if bridge_id is not None:
        ranked = ranked.where(SyncRun.bridge_id == bridge_id)
    runs = ranked.subquery()
    latest_failed = select(runs.c.id).where(runs.c.rank == 1, runs.c.status == "failed")
    found = session.execute(
        select(SyncRun, Bridge.name, TargetGroup.name)
        .join(Bridge, Bridge.id == SyncRun.bridge_id)
        .outerjoin(TargetGroup, TargetGroup.id == SyncRun.group_id)
        .where(SyncRun.id.in_(latest_failed))
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
    )
    return [FailedRun(run.id, bridge, group, run.kind, run.started_at,
                      run.error or "The run failed without a message.")
            for run, bridge, group in found]


def contact_error_totals(session: Session, bridge_id: int | None) -> list[ContactErrorTotal]:
    """Contacts the AMS refused (iDSS), by the system error it gave, until resolved."""
    query = (select(ContactError.system_error, func.count(func.distinct(ContactError.ams_id)))
             .where(ContactError.resolved_at.is_(None))
             .group_by(ContactError.system_error)
             .order_by(func.count(func.distinct(ContactError.ams_id)).desc()))
    if bridge_id is not None:
        query = query.where(ContactError.bridge_id == bridge_id)
    return [ContactErrorTotal(error, contacts) for error, contacts in session.execute(query)]


def sync_health(session: Session, bridge_id: int | None, drift_percent: float) -> SyncHealth:
    return SyncHealth(
        bridge_id,
        reasons=reason_totals(session, bridge_id),
        failed=failed_runs(session, bridge_id),
        contact_errors=contact_error_totals(session, bridge_id),
        drift=count_drift(session, bridge_id, drift_percent),
    )
