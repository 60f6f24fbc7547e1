"""The writeback outbox as the console shows it: row ids for a filter (newest first), the rows
of those ids, and counts by state. Changing rows is `sync/outbox.py`'s business."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, Subscriber, Writeback
from informz_console.store.queries.key_lists import id_array

STATES = ("ready", "processing", "sent", "failed")


@dataclass(frozen=True)
class WritebackRow:
    id: int
    bridge: str
    email: str  # the subscriber's, else the address the writeback names, else ""
    type: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    ams_id: str | None


def _email(subscriber_email: str | None, payload: dict[str, Any] | None) -> str:
    if subscriber_email:
        return subscriber_email
    payload = payload or {}
    found = payload.get("email") or payload.get("corrected") or ""
    return found if isinstance(found, str) else ""


def writeback_ids(session: Session, *, state: str | None = None, bridge: str | None = None,
                  subscriber_id: int | None = None, text: str = "") -> list[int]:
    """Newest first. `text`: part of the subscriber's email, the key (it holds the AMS id) or
    the last error."""
    query = select(Writeback.id).order_by(Writeback.created_at.desc(), Writeback.id.desc())
    if state:
        query = query.where(Writeback.state == state)
    if bridge:
        query = (query.join(Bridge, Bridge.id == Writeback.bridge_id)
                 .where(func.lower(Bridge.name) == bridge.lower()))
    if subscriber_id is not None:
        query = query.where(Writeback.subscriber_id == subscriber_id)
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = (query.outerjoin(Subscriber, Subscriber.id == Writeback.subscriber_id)
                 .where(or_(Subscriber.email_key.like(pattern),
                            func.lower(Writeback.key).like(pattern),
                            func.lower(Writeback.last_error).like(pattern))))
    return id_array(session, query).tolist()


def writebacks_by_id(session: Session, ids: list[int]) -> dict[int, WritebackRow]:
    if not ids:
        return {}
    found = session.execute(
        select(Writeback, Bridge.name, Subscriber.email)
        .join(Bridge, Bridge.id == Writeback.bridge_id)
        .outerjoin(Subscriber, Subscriber.id == Writeback.subscriber_id)
        .where(Writeback.id.in_(ids)))
    rows = {}
    for w, bridge, email in found:
        ams_id = (w.payload or {}).get("ams_id")
        rows[w.id] = WritebackRow(w.id, bridge, _email(email, w.payload), w.type, w.state,
                                  w.attempts, w.last_error, w.created_at, w.next_attempt_at,
                                  w.sent_at, ams_id if isinstance(ams_id, str) else None)
    return rows


def writebacks_of_subscriber(session: Session, subscriber_id: int) -> list[WritebackRow]:
    ids = writeback_ids(session, subscriber_id=subscriber_id)
    rows = writebacks_by_id(session, ids)
    return [rows[i] for i in ids if i in rows]


def state_counts(session: Session, *, bridge: str | None = None) -> dict[str, int]:
    """How many writebacks are in each state (every state named, 0 when none)."""
    query = select(Writeback.state, func.count()).group_by(Writeback.state)
    if bridge:
        query = (query.join(Bridge, Bridge.id == Writeback.bridge_id)
                 .where(func.lower(Bridge.name) == bridge.lower()))
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: int(n) for state, n in session.execute(query)})
    return counts
