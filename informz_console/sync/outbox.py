"""The durable writeback outbox, one for all bridges (table `writeback`).

A change to send to an AMS (iUNSUB, iOPTOUT, iCORRECT, iRESUB, iBADEMAIL, iINTEREST; Personify
and netFORUM unsubscribe / resubscribe / bad email) is first a row here, queued with `enqueue`
in the same mirror transaction as the change that caused it, due at once or at a given time
(the iUNSUB batch: see `domain.writeback_rules`). Its `key` is unique: queueing the same
writeback twice is a no-op (INSERT .. ON CONFLICT(key) DO NOTHING).

States: `ready` (due at `next_attempt_at`) -> `processing` (claimed; `next_attempt_at` is then
the end of the claim's lease) -> `sent` (`sent_at`) or back to `ready` with a later
`next_attempt_at` after a transient error (backoff 1, 5, 15, 60 minutes, then every 60), or
`failed` after an error retrying cannot fix (`retry_failed` puts those back to `ready`).

`deliver_due` (see outbox_delivery) claims due rows in one short transaction: ready ones whose
time has come, and `processing` ones left behind by a console killed in the middle of a
delivery (SIGKILL, power off). Each claim records its owner (`claimed_by`, "host:pid"): the
next claim on the same machine takes back at once the rows of an owner whose process is gone,
and anything else (another machine's console, which cannot be checked from here) once its
lease has expired. Each row is then delivered on its own and its outcome committed at once,
so a crash loses at most the outcome of the row in flight, and that one is recognised on
resend (below). `tests/test_writeback_kill.py` kills a real console in exactly that window.

Idempotence on the AMS side, so a row the AMS took but whose outcome the mirror never recorded
is not sent twice:
- iMIS: every Activity row we write carries its outbox key in UF_3 (`informz:<key>`). The
  delivery first takes the Counter row's lock, looks for an Activity row of that ID with that
  key, and writes only when there is none (see `connectors.imis_writeback.insert_activities`),
  all in one iMIS transaction; a found row's SEQN is recorded as if just written. So the window
  between iMIS committing and the mirror recording it is closed: a resend finds its row.
- Personify and netFORUM: their flags are idempotent (Do Not Email = true twice is still
  true), so only their activity logs can show a duplicate when a console dies between the
  AMS's answer and the mirror's commit (milliseconds, one row at most per console).
- A row whose payload already holds the AMS's receipt (`seqn`, `activity_id`) is marked sent
  without writing again.
- A row is never sent by two consoles at once while its lease runs (LEASE, 15 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from informz_console.connectors.errors import ConfigError
from informz_console.store.models import Bridge, Writeback
from informz_console.sync.owners import owner_is_gone, this_process
from informz_console.sync.upsert import insert_ignore

IMIS_TYPES = ("iUNSUB", "iOPTOUT", "iCORRECT", "iRESUB", "iBADEMAIL", "iINTEREST")
# iINTEREST: a remote interest changed on the IPM preference form (seed 004); written to iMIS
# as an iOPTOUT Activity row whose product code is the checkbox field.
# Personify and netFORUM: their three writebacks; the iMIS names map onto them.
ACTIONS = {
    "unsubscribe": "unsubscribe",
    "resubscribe": "resubscribe",
    "bad_email": "bad_email",
    "iUNSUB": "unsubscribe",
    "iOPTOUT": "unsubscribe",
    "iRESUB": "resubscribe",
    "iBADEMAIL": "bad_email",
}
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
           timedelta(minutes=60))  # fmt: skip
LEASE = timedelta(minutes=15)
STATES = ("ready", "processing", "sent", "failed")

_T = Writeback.__table__


def deliver_due(engine, clock, credentials, **options):  # type: ignore[no-untyped-def]
    """See `outbox_delivery.deliver_due` (kept there: it needs the connectors)."""
    from informz_console.sync.outbox_delivery import deliver_due as deliver

    return deliver(engine, clock, credentials, **options)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1-based), capped at the last step."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def enqueue(
    conn_or_session: Connection | Session,
    *,
    bridge_id: int,
    subscriber_id: int | None,
    type: str,  # noqa: A002 - the column's name
    key: str,
    payload: dict[str, Any],
    now: datetime,
    due_at: datetime | None = None,
) -> bool:
    """Queue one writeback, due at `due_at` (default now); False when one with this key is
    already queued (or sent). Runs inside the caller's transaction: commit it with the change
    that caused the writeback."""
    conn = conn_or_session.connection() if isinstance(conn_or_session, Session) else conn_or_session
    result = conn.execute(  # RETURNING, not rowcount: psycopg reports -1 for this insert
        insert_ignore(conn, _T).returning(_T.c.id),
        {
            "bridge_id": bridge_id, "subscriber_id": subscriber_id, "type": type, "key": key,
            "payload": dict(payload), "state": "ready", "attempts": 0, "created_at": now,
            "next_attempt_at": due_at or now,
        },
    )  # fmt: skip
    return result.first() is not None


@dataclass(frozen=True, slots=True)
class Claimed:
    """One row claimed for delivery."""

    id: int
    bridge_id: int
    subscriber_id: int | None
    type: str
    key: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


def _abandoned_owners(conn: Connection, now: datetime) -> list[str]:
    leased = conn.execute(
        select(_T.c.claimed_by).distinct().where(
            _T.c.state == "processing", _T.c.next_attempt_at > now, _T.c.claimed_by.is_not(None)
        )
    ).scalars()
    return [owner for owner in leased if owner_is_gone(owner)]


def _due(now: datetime, abandoned: list[str]):  # type: ignore[no-untyped-def]
    due = and_(
        _T.c.state.in_(("ready", "processing")),
        or_(_T.c.next_attempt_at.is_(None), _T.c.next_attempt_at <= now),
    )
    if not abandoned:
        return due
    return or_(due, and_(_T.c.state == "processing", _T.c.claimed_by.in_(abandoned)))


def claim_due(
    engine: Engine,
    now: datetime,
    *,
    bridge_id: int | None = None,
    keys: list[str] | None = None,
    limit: int = 500,
) -> list[Claimed]:
    """Mark up to `limit` due rows (of one bridge, or only these keys) `processing` with a lease
    and this process as owner, in one short transaction. The due condition is checked again by
    the UPDATE itself, so two consoles claiming at the same time never get the same row."""
    with engine.begin() as conn:
        due = _due(now, _abandoned_owners(conn, now))
        if bridge_id is not None:
            due = and_(due, _T.c.bridge_id == bridge_id)
        if keys is not None:
            due = and_(due, _T.c.key.in_(keys))
        ids = select(_T.c.id).where(due).order_by(_T.c.id).limit(limit).scalar_subquery()
        statement = (
            update(_T)
            .where(_T.c.id.in_(ids), due)
            .values(state="processing", next_attempt_at=now + LEASE, claimed_by=this_process())
            .returning(
                _T.c.id,
                _T.c.bridge_id,
                _T.c.subscriber_id,
                _T.c.type,
                _T.c.key,
                _T.c.payload,
                _T.c.attempts,
                _T.c.created_at,
            )  # fmt: skip
        )
        rows = conn.execute(statement).all()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


def mark_sent(engine: Engine, row_id: int, now: datetime, payload: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    values: dict[str, Any] = {"state": "sent", "sent_at": now, "next_attempt_at": None,
                              "last_error": None, "claimed_by": None}  # fmt: skip
    if payload is not None:
        values["payload"] = payload
    with engine.begin() as conn:
        conn.execute(update(_T).where(_T.c.id == row_id).values(**values))


def mark_error(
    engine: Engine, row_id: int, now: datetime, sentence: str, *, transient: bool
) -> datetime | None:
    """attempts + 1 and the error; back to `ready` after the backoff when `transient`, else
    `failed`. Returns the next attempt's time (None when failed)."""
    with engine.begin() as conn:
        attempts = conn.execute(select(_T.c.attempts).where(_T.c.id == row_id)).scalar_one() + 1
        retry_at = now + backoff(attempts) if transient else None
        conn.execute(
            update(_T).where(_T.c.id == row_id).values(
                state="ready" if transient else "failed", attempts=attempts,
                last_error=sentence[:2000], next_attempt_at=retry_at, claimed_by=None,
            )
        )  # fmt: skip
    return retry_at


def release(engine: Engine, row_ids: list[int], at: datetime) -> None:
    """Give claimed rows that were not attempted back, due at `at` (attempts unchanged)."""
    if not row_ids:
        return
    with engine.begin() as conn:
        conn.execute(
            update(_T)
            .where(_T.c.id.in_(row_ids), _T.c.state == "processing")
            .values(state="ready", next_attempt_at=at, claimed_by=None)
        )


def retry_failed(engine: Engine, clock, *, bridge: str | None = None) -> int:  # type: ignore[no-untyped-def]
    """Put failed rows back to `ready`, due now; returns how many."""
    condition = _T.c.state == "failed"
    if bridge is not None:
        condition = and_(condition, _T.c.bridge_id == bridge_id_of(engine, bridge))
    with engine.begin() as conn:
        result = conn.execute(
            update(_T).where(condition).values(state="ready", next_attempt_at=clock.now())
        )
    return result.rowcount or 0


def bridge_id_of(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        found = session.scalar(select(Bridge.id).where(func.lower(Bridge.name) == name.lower()))
    if found is None:
        raise ConfigError(f"There is no bridge named {name!r}; `bridge list` shows the bridges.")
    return found


def summary(engine: Engine, *, bridge: str | None = None) -> list[tuple[str, str, str, int]]:
    """(bridge name, type, state, count) of every queued writeback, sorted."""
    b = Bridge.__table__
    statement = (
        select(b.c.name, _T.c.type, _T.c.state, func.count())
        .join(b, b.c.id == _T.c.bridge_id)
        .group_by(b.c.name, _T.c.type, _T.c.state)
        .order_by(b.c.name, _T.c.type, _T.c.state)
    )
    if bridge is not None:
        statement = statement.where(func.lower(b.c.name) == bridge.lower())
    with engine.connect() as conn:
        return [(name, kind, state, int(n)) for name, kind, state, n in conn.execute(statement)]


@dataclass
class DeliveryReport:
    """What one `deliver_due` did. `errors`: (writeback id, bridge, type, sentence)."""

    claimed: int = 0
    sent: int = 0
    already_sent: int = 0  # claimed again after a crash, found with their iMIS SEQN: not resent
    retrying: int = 0  # transient error: back to ready, due after the backoff
    failed: int = 0
    deferred: int = 0  # not attempted because their bridge just failed transiently
    errors: list[tuple[int | None, str, str, str]] = field(default_factory=list)  # None: all

    def sentence(self) -> str:
        if not self.claimed:
            return "No writebacks were due."
        parts = [f"{self.sent + self.already_sent:,} sent"]
        for count, label in ((self.retrying, "will be retried"), (self.failed, "failed"),
                             (self.deferred, "deferred (AMS unreachable)")):  # fmt: skip
            if count:
                parts.append(f"{count:,} {label}")
        return f"{self.claimed:,} writebacks due: " + ", ".join(parts) + "."
