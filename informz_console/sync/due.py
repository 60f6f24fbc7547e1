"""What is due now (login list refreshes, nightly and weekend group resyncs), and running it.

`due_now` reads the mirror: the bridges, their groups (dates, mailing use, compound
membership) and the sync log. The rules themselves are in `domain.triggers`. A nightly or
weekend resync is decided per group from the sync log: the group's last run with that trigger
(a weekend run also counts as that night's nightly), so running `due --run` twice in one night
or one Sunday morning runs nothing the second time, and a run interrupted half way only runs
the groups still missing. Inactive bridges get no automatic sync. Compound groups are not
resynced themselves: their member groups are.

Writebacks are part of the nightly step (seed 000: the nightly sync "also sends writebacks to
iMIS for iUnsub, iOptout, iCorrect, iResub, and iBadEmail"): `writebacks_due` lists, per bridge
and type, the outbox rows due now and the writebacks the rules owe that are not queued yet;
`run_due_writebacks` queues those (see `sync.writeback_rules`) and delivers everything due,
so the iUNSUB batch goes out on the first `due --run` at or after 01:00 Eastern.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from informz_console.domain.clock import Clock
from informz_console.domain.triggers import (
    expand_mailing_groups,
    login_refresh_due,
    login_refresh_reason,
    nightly_reason,
    nightly_run_due,
    weekend_full_sync_due,
)
from informz_console.store.models import Bridge, CompoundMember, SyncRun, TargetGroup, Writeback
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.outbox import DeliveryReport, deliver_due
from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult, Trigger
from informz_console.sync.service import SyncService
from informz_console.sync.writeback_rules import Queued, owed_not_queued, queue_owed_writebacks

WEEKEND_KINDS = frozenset({"imis"})  # seed 000: "a full sync on all iMIS target groups"


@dataclass(frozen=True, slots=True)
class DueRun:
    bridge: str
    bridge_kind: str
    trigger: Trigger
    kind: SyncKind
    reason: str
    group_id: int | None = None
    group: str | None = None  # the group's name, for people
    group_key: str | None = None  # its remote key: unique on its bridge, so exact

    def request(self) -> SyncRequest:
        return SyncRequest(self.bridge, self.kind, group=self.group_key, trigger=self.trigger)

    def describe(self) -> str:
        what = (
            f"resync {self.group!r}"
            if self.kind is SyncKind.RESYNC_GROUP
            else "refresh the target group list"
        )
        return f"{self.trigger.value}: {self.bridge}: {what} ({self.reason})"


def compound_map(session: Session) -> dict[int, list[int]]:
    """Every compound group -> its member group ids (empty for a compound without members)."""
    mapping: dict[int, list[int]] = {
        gid: []
        for gid in session.scalars(select(TargetGroup.id).where(TargetGroup.kind == "compound"))
    }
    for compound_id, member_id in session.execute(
        select(CompoundMember.compound_id, CompoundMember.member_id).order_by(
            CompoundMember.compound_id, CompoundMember.member_id
        )
    ):
        mapping.setdefault(compound_id, []).append(member_id)
    return mapping


def _compound_used_at(session: Session, compounds: dict[int, list[int]]) -> dict[int, datetime]:
    """Each group -> the latest mailing use of any compound group it is part of (nested too)."""
    used = {
        gid: at
        for gid, at in session.execute(
            select(TargetGroup.id, TargetGroup.last_used_in_mailing_at).where(
                TargetGroup.id.in_(list(compounds)),
                TargetGroup.last_used_in_mailing_at.is_not(None),
            )
        )
    }
    out: dict[int, datetime] = {}
    for compound_id, at in used.items():
        for member in expand_mailing_groups([compound_id], compounds):
            if member not in out or out[member] < at:
                out[member] = at
    return out


def _last_runs(session: Session, triggers: Iterable[Trigger]) -> dict[int, datetime]:
    """Each group -> the start of its last live run with one of `triggers`."""
    rows = session.execute(
        select(SyncRun.group_id, func.max(SyncRun.started_at))
        .where(
            SyncRun.trigger.in_([t.value for t in triggers]),
            SyncRun.mode == "live",
            SyncRun.group_id.is_not(None),
        )
        .group_by(SyncRun.group_id)
    )
    # max() over a UtcDateTime column comes back as the raw SQLite value on some backends
    return {gid: _aware(at) for gid, at in rows if at is not None}


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def due_now(engine: Engine, clock: Clock, *, user_is_staff: bool) -> list[DueRun]:
    """Everything due at `clock.now()`: login refreshes first, then weekend, then nightly."""
    now = clock.now()
    logins: list[DueRun] = []
    weekend: list[DueRun] = []
    nightly: list[DueRun] = []
    with Session(engine) as session:
        bridges = list(session.scalars(select(Bridge).order_by(Bridge.name)))
        compounds = compound_map(session)
        compound_used = _compound_used_at(session, compounds)
        last_weekend = _last_runs(session, [Trigger.WEEKEND])
        last_nightly = _last_runs(session, [Trigger.NIGHTLY, Trigger.WEEKEND])
        for bridge in bridges:
            if login_refresh_due(
                bridge.kind,
                bridge.last_list_refresh_at,
                now,
                active=bridge.active,
                user_is_staff=user_is_staff,
            ):
                logins.append(
                    DueRun(
                        bridge.name,
                        bridge.kind,
                        Trigger.LOGIN,
                        SyncKind.REFRESH_LIST,
                        login_refresh_reason(bridge.kind, bridge.last_list_refresh_at, now),
                    )
                )
            if not bridge.active:
                continue
            groups = session.scalars(
                select(TargetGroup)
                .where(
                    TargetGroup.bridge_id == bridge.id,
                    TargetGroup.removed_from_ams_at.is_(None),
                    TargetGroup.kind != "compound",
                )
                .order_by(TargetGroup.name, TargetGroup.id)
            )
            for group in groups:
                if bridge.kind in WEEKEND_KINDS and weekend_full_sync_due(
                    now, last_weekend.get(group.id)
                ):
                    weekend.append(
                        DueRun(
                            bridge.name,
                            bridge.kind,
                            Trigger.WEEKEND,
                            SyncKind.RESYNC_GROUP,
                            "weekend full sync",
                            group.id,
                            group.name,
                            group.remote_key,
                        )
                    )
                    continue  # the weekend sync is also this night's nightly
                if not nightly_run_due(now, last_nightly.get(group.id)):
                    continue
                reason = nightly_reason(
                    bridge.kind,
                    group.created_at,
                    group.modified_at,
                    group.last_used_in_mailing_at,
                    compound_used.get(group.id),
                    now,
                )
                if reason is not None:
                    nightly.append(
                        DueRun(
                            bridge.name,
                            bridge.kind,
                            Trigger.NIGHTLY,
                            SyncKind.RESYNC_GROUP,
                            reason,
                            group.id,
                            group.name,
                            group.remote_key,
                        )
                    )
    return logins + weekend + nightly


def run_due(service: SyncService, due: Iterable[DueRun]) -> list[SyncResult]:
    """Run each due item through `SyncService.run`, with its trigger recorded in the sync log."""
    return [service.run(item.request()) for item in due]


# -- writebacks ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueWritebacks:
    """Writebacks of one bridge and type that the nightly step sends now."""

    bridge: str
    type: str
    count: int
    reason: str

    def describe(self) -> str:
        return f"nightly: {self.bridge}: {self.count:,} {self.type} writebacks ({self.reason})"


def _queued_due(engine: Engine, now: datetime) -> list[tuple[str, str, int]]:
    w, b = Writeback.__table__, Bridge.__table__
    due = and_(w.c.state.in_(("ready", "processing")),
               or_(w.c.next_attempt_at.is_(None), w.c.next_attempt_at <= now))  # fmt: skip
    query = (select(b.c.name, w.c.type, func.count()).join(b, b.c.id == w.c.bridge_id)
             .where(due).group_by(b.c.name, w.c.type).order_by(b.c.name, w.c.type))  # fmt: skip
    with engine.connect() as conn:
        return [(name, kind, int(n)) for name, kind, n in conn.execute(query)]


def _count(items: Iterable[Queued], now: datetime, *, due: bool) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for item in items:
        if (item.due_at <= now) == due:
            out[(item.bridge, item.type)] = out.get((item.bridge, item.type), 0) + 1
    return out


def writebacks_due(engine: Engine, clock: Clock) -> list[DueWritebacks]:
    """Queued writebacks due now, then those the rules owe now that are not queued yet."""
    now = clock.now()
    out = [DueWritebacks(name, kind, n, "queued, due now")
           for name, kind, n in _queued_due(engine, now)]  # fmt: skip
    owed = _count(owed_not_queued(engine, clock), now, due=True)
    out += [DueWritebacks(name, kind, n, "owed by subscriber status changes, not queued yet")
            for (name, kind), n in sorted(owed.items())]  # fmt: skip
    return out


def writebacks_waiting(engine: Engine, clock: Clock) -> dict[tuple[str, str], int]:
    """(bridge, type) -> writebacks queued or owed but due later (the iUNSUB batch)."""
    now = clock.now()
    w, b = Writeback.__table__, Bridge.__table__
    query = (select(b.c.name, w.c.type, func.count()).join(b, b.c.id == w.c.bridge_id)
             .where(w.c.state == "ready", w.c.next_attempt_at > now)
             .group_by(b.c.name, w.c.type))  # fmt: skip
    with engine.connect() as conn:
        waiting = {(name, kind): int(n) for name, kind, n in conn.execute(query)}
    for key, n in _count(owed_not_queued(engine, clock), now, due=False).items():
        waiting[key] = waiting.get(key, 0) + n
    return waiting


def run_due_writebacks(
    engine: Engine, clock: Clock, credentials: CredentialStore
) -> tuple[list[Queued], DeliveryReport]:
    """Queue what the rules owe, then deliver every due writeback (all bridges)."""
    queued = queue_owed_writebacks(engine, clock)
    return queued, deliver_due(engine, clock, credentials)
