"""Queue the writebacks the rules owe: scan the mirror, enqueue what is missing.

The rules are `domain.writeback_rules`; this module feeds them the mirror's subscribers whose
status changed within the rules' windows (30 days), one `StatusChange` per AMS link, and puts
each planned writeback in the outbox. The outbox key is unique and each rule's key is the same
on every scan, so a rescan (after every sync, every `due` step, twice a night) queues nothing
twice and never re-queues one already sent.

`queue_for_subscriber` does the same for one subscriber, inside the caller's transaction, so a
status change made in the console and its writebacks commit together.

Bridge setting read here: `iunsub_skip_reasons` (list of unsubscribe reasons that do not write
back, besides "Unsubscribed from remote system").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, or_, select

from informz_console.domain.clock import Clock
from informz_console.domain.writeback_rules import (
    RESUB_WINDOW,
    RESUBSCRIBED,
    UNSUB_WINDOW,
    WRITEBACK_KINDS,
    StatusChange,
    WritebackPlan,
    plan_writeback,
)
from informz_console.store.models import Bridge, Subscriber, SubscriberLink, Writeback
from informz_console.sync.outbox import enqueue

UNSUBSCRIBE_TYPES = ("iUNSUB", "iOPTOUT", "unsubscribe")
_STATUSES = ("unsubscribed", "opted_out", "bad_email")
_LOOKBACK = max(UNSUB_WINDOW, RESUB_WINDOW)


@dataclass(frozen=True, slots=True)
class Queued:
    bridge: str
    type: str
    key: str
    due_at: datetime


def _changes(conn: Connection, now: datetime, subscriber_id: int | None = None):  # type: ignore[no-untyped-def]
    s, link, b = Subscriber.__table__, SubscriberLink.__table__, Bridge.__table__
    resubscribed = and_(s.c.status == "active", s.c.status_reason.like(f"{RESUBSCRIBED}%"))
    recent = or_(s.c.status.in_(_STATUSES), resubscribed)
    query = (
        select(b.c.id, b.c.kind, b.c.name, b.c.settings, s.c.id, link.c.ams_id, s.c.email,
               s.c.status, s.c.status_reason, s.c.status_at)  # fmt: skip
        .join(link, link.c.subscriber_id == s.c.id)
        .join(b, b.c.id == link.c.bridge_id)
        .where(recent, b.c.kind.in_(sorted(WRITEBACK_KINDS)))
        .order_by(s.c.id, b.c.id)
    )
    if subscriber_id is not None:
        query = query.where(s.c.id == subscriber_id)
    else:
        query = query.where(s.c.status_at >= now - _LOOKBACK)
    return conn.execute(query).all()


def _told(conn: Connection, subscriber_id: int | None = None) -> set[tuple[int, int]]:
    """(bridge id, subscriber id) pairs whose AMS has (or will have) an unsubscribe."""
    w = Writeback.__table__
    query = select(w.c.bridge_id, w.c.subscriber_id).distinct().where(
        w.c.type.in_(UNSUBSCRIBE_TYPES), w.c.subscriber_id.is_not(None))
    if subscriber_id is not None:
        query = query.where(w.c.subscriber_id == subscriber_id)
    return {(bid, sid) for bid, sid in conn.execute(query)}


def _plans(conn: Connection, now: datetime, subscriber_id: int | None = None):  # type: ignore[no-untyped-def]
    told = _told(conn, subscriber_id)
    for bid, kind, name, settings, sid, ams_id, email, status, reason, at in _changes(
        conn, now, subscriber_id
    ):
        change = StatusChange(bid, kind, sid, ams_id, status, reason, at, (bid, sid) in told)
        skipped = (settings or {}).get("iunsub_skip_reasons") or ()
        plan = plan_writeback(change, now, skipped)
        if plan is not None:
            payload = {"ams_id": ams_id, "email": email, "reason": reason,
                       "at": at.isoformat() if at else None}  # fmt: skip
            yield name, change, plan, payload


def _enqueue(conn: Connection, change: StatusChange, plan: WritebackPlan,
             payload: dict, now: datetime) -> bool:  # type: ignore[type-arg]  # fmt: skip
    return enqueue(conn, bridge_id=change.bridge_id, subscriber_id=change.subscriber_id,
                   type=plan.type, key=plan.key, payload=payload, now=now,
                   due_at=plan.due_at)  # fmt: skip


def queue_for_subscriber(conn: Connection, subscriber_id: int, now: datetime) -> list[Queued]:
    """Enqueue what one subscriber's current status owes each linked AMS (caller's
    transaction); the writebacks newly queued."""
    queued = []
    for name, change, plan, payload in list(_plans(conn, now, subscriber_id)):
        if _enqueue(conn, change, plan, payload, now):
            queued.append(Queued(name, plan.type, plan.key, plan.due_at))
    return queued


def queue_owed_writebacks(engine: Engine, clock: Clock) -> list[Queued]:
    """Scan the mirror and enqueue every writeback the rules owe that is not queued yet."""
    now = clock.now()
    queued = []
    with engine.begin() as conn:
        for name, change, plan, payload in list(_plans(conn, now)):
            if _enqueue(conn, change, plan, payload, now):
                queued.append(Queued(name, plan.type, plan.key, plan.due_at))
    return queued


def owed_not_queued(engine: Engine, clock: Clock) -> list[Queued]:
    """What a scan would enqueue now (read only: for `due` without --run)."""
    now = clock.now()
    with engine.connect() as conn:
        plans = list(_plans(conn, now))
        wanted = [plan.key for _, _, plan, _ in plans]
        keys = set(conn.execute(select(Writeback.key).where(Writeback.key.in_(wanted))).scalars())
    return [Queued(name, plan.type, plan.key, plan.due_at)
            for name, _, plan, _ in plans if plan.key not in keys]  # fmt: skip
