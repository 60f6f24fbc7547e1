"""The sync log as a large table: run ids for a filter (newest first), the filter's choices,
and the exclusion rows of one run. The rows of those ids come from `runs.runs_by_id`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, Exclusion, RunLog, SyncRun, TargetGroup
from informz_console.store.queries.key_lists import id_array
from informz_console.store.queries.labels import reason_label

STATUSES = ("running", "succeeded", "failed", "cancelled", "interrupted")


@dataclass(frozen=True)
class RunFilter:
    """What the sync log shows; None (or "") means any."""

    bridge: str | None = None
    status: str | None = None
    trigger: str | None = None
    since: datetime | None = None
    text: str = ""  # a run id ("123" or "#123"), or words in its error, group or log lines


def _run_number(text: str) -> int | None:
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() else None


def _text_condition(text: str):  # type: ignore[no-untyped-def]
    number = _run_number(text)
    if number is not None:
        return SyncRun.id == number
    pattern = f"%{text.strip().lower()}%"
    in_log = exists().where(RunLog.run_id == SyncRun.id, func.lower(RunLog.message).like(pattern))
    return or_(func.lower(SyncRun.error).like(pattern),
               func.lower(TargetGroup.name).like(pattern), in_log)


def run_ids(session: Session, wanted: RunFilter | None = None) -> list[int]:
    """Every run the filter lets through, newest first (ids only: the log can be long)."""
    wanted = wanted or RunFilter()
    query = (select(SyncRun.id).select_from(SyncRun)
             .join(Bridge, Bridge.id == SyncRun.bridge_id)
             .outerjoin(TargetGroup, TargetGroup.id == SyncRun.group_id)
             .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()))
    if wanted.bridge:
        query = query.where(func.lower(Bridge.name) == wanted.bridge.lower())
    if wanted.status:
        query = query.where(SyncRun.status == wanted.status)
    if wanted.trigger:
        query = query.where(SyncRun.trigger == wanted.trigger)
    if wanted.since is not None:
        query = query.where(SyncRun.started_at >= wanted.since)
    if wanted.text.strip():
        query = query.where(_text_condition(wanted.text))
    return id_array(session, query).tolist()


@dataclass(frozen=True)
class FilterChoices:
    bridges: list[str]
    triggers: list[str]  # the triggers the log holds
    statuses: tuple[str, ...] = STATUSES


def filter_choices(session: Session) -> FilterChoices:
    bridges = list(session.scalars(select(Bridge.name).order_by(func.lower(Bridge.name))))
    triggers = list(session.scalars(select(SyncRun.trigger).distinct().order_by(SyncRun.trigger)))
    return FilterChoices(bridges, triggers)


@dataclass(frozen=True)
class ExclusionRow:
    id: int
    ams_id: str | None
    email: str | None
    reason: str
    detail: str | None

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)


def exclusion_ids(session: Session, run_id: int, reason: str | None = None) -> list[int]:
    """The exclusions of one run (of one reason), in the order the run recorded them."""
    query = select(Exclusion.id).where(Exclusion.run_id == run_id).order_by(Exclusion.id)
    if reason is not None:
        query = query.where(Exclusion.reason == reason)
    return id_array(session, query).tolist()


def exclusions_by_id(session: Session, ids: list[int]) -> dict[int, ExclusionRow]:
    if not ids:
        return {}
    found = session.execute(select(Exclusion.id, Exclusion.ams_id, Exclusion.email,
                                   Exclusion.reason, Exclusion.detail)
                            .where(Exclusion.id.in_(ids)))
    return {row[0]: ExclusionRow(*row) for row in found}
