"""Which writebacks a subscriber's status change owes each AMS, and when they are due.

Pure functions over UTC-aware times; `now` comes from the caller's clock. The rules (seed 000,
DOMAIN.md "writebacks"):

- iMIS iUNSUB: unsubscribed in the last 30 days, not yet written back, with a reason that
  writes back ("Unsubscribed from remote system" never does: iMIS itself said so); sent in the
  daily batch at 01:00 US Eastern (`next_unsub_batch`).
- iMIS iOPTOUT: at once (the delivery also sets the bridge's UD opt-out checkbox).
- iMIS iRESUB: at once, when the subscriber is resubscribed and iMIS was told of the
  unsubscribe or opt-out (otherwise there is nothing to undo in iMIS).
- iMIS iBADEMAIL: once ever per subscriber, only within 30 days of the bad-email status.
- Personify360 / netFORUM Pro: unsubscribe (also for an opt-out), resubscribe, bad email
  (once ever), due at once; the delivery runs every 10 minutes. Personify's unsubscribe sets
  Do Not Solicit by Email; netFORUM's sets Do Not Email true, resubscribe sets it false.
- iDSS: nothing (its sync is one-way, seed 002).

"Not yet written back" is the outbox's unique key: each rule names its writeback by a key
(`writeback_key`) that is the same on every scan of the same change, so a rescan never queues
it twice. A window of "30 days" includes exactly 30 days; a time in the future (clock skew)
counts as within.

The 01:00 batch in the autumn, when 01:00 Eastern happens twice, is the first 01:00 (EDT); in
the spring 01:00 exists once (the clocks jump from 02:00 to 03:00).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from informz_console.domain.subscriber_status import REMOTE_UNSUBSCRIBE_REASON

EASTERN = ZoneInfo("America/New_York")
UNSUB_BATCH_TIME = time(1, 0)  # Eastern
UNSUB_WINDOW = timedelta(days=30)
BAD_EMAIL_WINDOW = timedelta(days=30)
RESUB_WINDOW = timedelta(days=30)

# Unsubscribes whose reason never writes back: the AMS's own, and an unsubscribe that came in
# with an upload (the list it came from is not the subscriber's choice made here).
NEVER_WRITTEN_BACK = frozenset({REMOTE_UNSUBSCRIBE_REASON.casefold(),
                                "uploaded as unsubscribed"})  # fmt: skip
RESUBSCRIBED = "Resubscribed"  # a resubscribe's reason starts with this

WRITEBACK_KINDS = frozenset({"imis", "personify", "netforum"})
IMIS_TYPE = {"unsubscribed": "iUNSUB", "opted_out": "iOPTOUT", "bad_email": "iBADEMAIL",
             "resubscribed": "iRESUB"}  # fmt: skip
OTHER_TYPE = {"unsubscribed": "unsubscribe", "opted_out": "unsubscribe",
              "bad_email": "bad_email", "resubscribed": "resubscribe"}  # fmt: skip
ONCE_EVER = frozenset({"iBADEMAIL", "bad_email"})
# An auto-corrected email's writeback (iMIS only): original and corrected, one per iMIS ID.
CORRECTION_TYPE = {"imis": "iCORRECT"}


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A subscriber's status as the mirror holds it, seen from one bridge (one AMS id)."""

    bridge_id: int
    bridge_kind: str
    subscriber_id: int
    ams_id: str
    status: str  # SubscriberStatus value
    reason: str | None
    at: datetime | None  # when the status was set
    ams_told_unsubscribed: bool = False  # an unsubscribe / opt-out writeback exists already


@dataclass(frozen=True, slots=True)
class WritebackPlan:
    type: str
    key: str
    due_at: datetime


def _check_aware(*values: datetime | None) -> None:
    for value in values:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a writeback rule; use UTC-aware times")


def _within(then: datetime | None, now: datetime, window: timedelta) -> bool:
    return then is not None and now - then <= window


def next_unsub_batch(now: datetime) -> datetime:
    """The first 01:00 Eastern at or after `now`, in `now`'s zone."""
    _check_aware(now)
    day = now.astimezone(EASTERN).date()
    for offset in (0, 1):
        local = datetime.combine(day + timedelta(days=offset), UNSUB_BATCH_TIME,
                                 tzinfo=EASTERN)  # fold=0: the first 01:00 of a fall-back day
        if local >= now:
            return local.astimezone(now.tzinfo)
    raise AssertionError("unreachable: tomorrow's 01:00 is always after now")


def reason_writes_back(reason: str | None, skipped: Iterable[str] = ()) -> bool:
    """Does an unsubscribe with this reason write back? `skipped`: the bridge's own extra
    reasons that do not (compared case-insensitively)."""
    key = (reason or "").strip().casefold()
    return key not in NEVER_WRITTEN_BACK and key not in {s.strip().casefold() for s in skipped}


def is_resubscribe(status: str, reason: str | None) -> bool:
    return status == "active" and (reason or "").startswith(RESUBSCRIBED)


def event_of(change: StatusChange, now: datetime, skipped: Iterable[str] = ()) -> str | None:
    """Which writeback event the change is now ("unsubscribed", "opted_out", "bad_email",
    "resubscribed"), or None when it owes the AMS nothing."""
    _check_aware(change.at, now)
    if change.bridge_kind not in WRITEBACK_KINDS:
        return None
    if change.status == "unsubscribed":
        ok = _within(change.at, now, UNSUB_WINDOW) and reason_writes_back(change.reason, skipped)
        return "unsubscribed" if ok else None
    if change.status == "opted_out":
        return "opted_out" if _within(change.at, now, UNSUB_WINDOW) else None
    if change.status == "bad_email":
        return "bad_email" if _within(change.at, now, BAD_EMAIL_WINDOW) else None
    if is_resubscribe(change.status, change.reason):
        told = change.ams_told_unsubscribed and _within(change.at, now, RESUB_WINDOW)
        return "resubscribed" if told else None
    return None


def writeback_type(bridge_kind: str, event: str) -> str:
    return (IMIS_TYPE if bridge_kind == "imis" else OTHER_TYPE)[event]


def writeback_key(kind: str, change: StatusChange) -> str:
    """The outbox key: the same change gives the same key on every scan. Once-ever writebacks
    (bad email) are keyed by the subscriber alone."""
    base = f"{kind}:{change.bridge_id}:s{change.subscriber_id}"
    if kind in ONCE_EVER or change.at is None:
        return base
    return f"{base}:{change.at.astimezone(UTC):%Y%m%dT%H%M%S%f}"


def due_at(kind: str, now: datetime) -> datetime:
    """iUNSUB waits for the 01:00 Eastern batch; every other writeback is due at once."""
    return next_unsub_batch(now) if kind == "iUNSUB" else now


def plan_writeback(change: StatusChange, now: datetime,
                   skipped: Iterable[str] = ()) -> WritebackPlan | None:  # fmt: skip
    """The writeback this status change owes its AMS now, or None."""
    event = event_of(change, now, skipped)
    if event is None:
        return None
    kind = writeback_type(change.bridge_kind, event)
    return WritebackPlan(kind, writeback_key(kind, change), due_at(kind, now))
