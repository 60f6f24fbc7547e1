"""The writeback rules (seed 000_bcea68b5a640b123.txt: the nightly sync "also sends writebacks
to iMIS for iUnsub, iOptout, iCorrect, iResub, and iBadEmail"; DOMAIN.md "writebacks"), at
their edges with an injected clock, then the mirror scan that queues what they owe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mirror_helpers import add_bridge, rows
from sqlalchemy import text
from writeback_helpers import add_subscriber

from informz_console.domain.clock import FixedClock
from informz_console.domain.writeback_rules import (
    StatusChange,
    next_unsub_batch,
    plan_writeback,
    reason_writes_back,
)
from informz_console.sync.due import writebacks_due, writebacks_waiting
from informz_console.sync.outbox import bridge_id_of
from informz_console.sync.writeback_rules import owed_not_queued, queue_owed_writebacks

NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # Monday 09:00 EST
SECOND = timedelta(seconds=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- the 01:00 Eastern iUNSUB batch --------------------------------------------------------------


@pytest.mark.parametrize(("now", "batch"), [
    (utc(2026, 1, 15, 5, 59, 59), utc(2026, 1, 15, 6)),  # 00:59:59 EST -> 01:00 EST
    (utc(2026, 1, 15, 6), utc(2026, 1, 15, 6)),  # exactly 01:00: due now
    (utc(2026, 1, 15, 6, 0, 1), utc(2026, 1, 16, 6)),  # just missed: tomorrow
    (utc(2026, 7, 1, 4, 30), utc(2026, 7, 1, 5)),  # summer: 01:00 EDT is 05:00 UTC
    (utc(2026, 7, 1, 3, 59), utc(2026, 7, 1, 5)),  # 23:59 EDT the evening before
    # spring forward, Sunday 8 March 2026: 01:00 is still EST, the next day's is EDT
    (utc(2026, 3, 8, 3), utc(2026, 3, 8, 6)),
    (utc(2026, 3, 8, 6, 0, 1), utc(2026, 3, 9, 5)),
    # fall back, Sunday 1 November 2026: 01:00 happens twice; the batch is the first (EDT)
    (utc(2026, 11, 1, 4), utc(2026, 11, 1, 5)),
    (utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6)),  # 01:30 EDT: not again at 01:00 EST
    (utc(2026, 11, 1, 6), utc(2026, 11, 2, 6)),  # the second 01:00 (EST) is not a batch
])  # fmt: skip
def test_next_unsub_batch_is_01_00_eastern(now, batch):
    """DOMAIN: iUNSUB is "batched daily at 01:00 (Eastern)"."""
    assert next_unsub_batch(now) == batch


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="naive datetime"):
        next_unsub_batch(datetime(2026, 1, 1, 1))


# -- the rules, one status change at a time ------------------------------------------------------


def change(status: str, at: datetime | None, *, kind: str = "imis", reason: str | None = "x",
           told: bool = False) -> StatusChange:  # fmt: skip
    return StatusChange(7, kind, 42, "100001", status, reason, at, told)


def test_iunsub_within_30_days_goes_in_the_next_batch():
    plan = plan_writeback(change("unsubscribed", NOW - timedelta(days=30)), NOW)
    assert (plan.type, plan.due_at) == ("iUNSUB", utc(2026, 11, 3, 6))  # 01:00 EST tomorrow
    assert plan.key == "iUNSUB:7:s42:20261003T140000000000"
    assert plan_writeback(change("unsubscribed", NOW - timedelta(days=30) - SECOND), NOW) is None
    assert plan_writeback(change("unsubscribed", NOW + timedelta(hours=1)), NOW) is not None
    assert plan_writeback(change("unsubscribed", None), NOW) is None


@pytest.mark.parametrize(("reason", "writes_back"), [
    ("Unsubscribed from remote system", False),  # the AMS said so itself (seed 001)
    ("UNSUBSCRIBED FROM REMOTE SYSTEM ", False),
    ("Uploaded as unsubscribed", False),
    ("Unsubscribed by an administrator", True),
    (None, True),
])  # fmt: skip
def test_iunsub_only_for_a_reason_that_writes_back(reason, writes_back):
    """DOMAIN: iUNSUB — "reason is one that writes back"."""
    plan = plan_writeback(change("unsubscribed", NOW, reason=reason), NOW)
    assert (plan is not None) == writes_back


def test_a_bridge_can_keep_more_reasons_from_writing_back():
    assert not reason_writes_back("Spam complaint", skipped=["spam complaint"])
    assert plan_writeback(change("unsubscribed", NOW, reason="Spam complaint"), NOW,
                          ["Spam complaint"]) is None  # fmt: skip


def test_ioptout_is_due_at_once():
    """DOMAIN: iOPTOUT — "written immediately"."""
    plan = plan_writeback(change("opted_out", NOW - timedelta(days=2)), NOW)
    assert (plan.type, plan.due_at) == ("iOPTOUT", NOW)


def test_ibademail_once_ever_within_30_days():
    """DOMAIN: iBADEMAIL — "once ever per subscriber, within 30 days"."""
    first = plan_writeback(change("bad_email", NOW - timedelta(days=30)), NOW)
    again = plan_writeback(change("bad_email", NOW - timedelta(days=1)), NOW)
    assert (first.type, first.due_at) == ("iBADEMAIL", NOW)
    assert first.key == again.key == "iBADEMAIL:7:s42"  # one key: the outbox takes it once
    assert plan_writeback(change("bad_email", NOW - timedelta(days=30) - SECOND), NOW) is None


def test_iresub_only_when_imis_was_told_of_the_unsubscribe():
    resubscribed = change("active", NOW - timedelta(days=1), reason="Resubscribed by x")
    assert plan_writeback(resubscribed, NOW) is None
    told = change("active", NOW - timedelta(days=1), reason="Resubscribed by x", told=True)
    assert plan_writeback(told, NOW).type == "iRESUB"
    assert plan_writeback(change("active", NOW, reason=None, told=True), NOW) is None  # new


@pytest.mark.parametrize(("kind", "status", "expected"), [
    ("personify", "unsubscribed", "unsubscribe"),  # sets Do Not Solicit by Email
    ("personify", "opted_out", "unsubscribe"),
    ("personify", "bad_email", "bad_email"),
    ("netforum", "unsubscribed", "unsubscribe"),  # Do Not Email = true
    ("netforum", "bad_email", "bad_email"),
    ("idss", "unsubscribed", None),  # seed 002: one-way
])  # fmt: skip
def test_personify_and_netforum_writebacks_are_due_at_once(kind, status, expected):
    """DOMAIN: Personify and netFORUM writebacks are queued and sent every 10 minutes."""
    plan = plan_writeback(change(status, NOW, kind=kind), NOW)
    assert (plan.type if plan else None) == expected
    if plan:
        assert plan.due_at == NOW


@pytest.mark.parametrize(("kind", "expected"), [
    ("imis", "iRESUB"), ("personify", "resubscribe"), ("netforum", "resubscribe"),
    ("idss", None)])  # fmt: skip
def test_resubscribe_per_ams(kind, expected):
    told = change("active", NOW, kind=kind, reason="Resubscribed by x", told=True)
    plan = plan_writeback(told, NOW)
    assert (plan.type if plan else None) == expected


# -- the scan over the mirror --------------------------------------------------------------------


@pytest.fixture
def bridges(mirror):
    clock = FixedClock(NOW)
    add_bridge(mirror, clock, name="iMIS", kind="imis", groups=())
    add_bridge(mirror, clock, name="P360", kind="personify", groups=())
    add_bridge(mirror, clock, name="iDSS", kind="idss", groups=())
    return {name: bridge_id_of(mirror, name) for name in ("iMIS", "P360", "iDSS")}


def test_a_rescan_never_queues_twice(mirror, bridges):
    clock = FixedClock(NOW)
    both = {bridges["iMIS"]: "100001", bridges["P360"]: "000001-0", bridges["iDSS"]: "c1"}
    add_subscriber(mirror, NOW, both, "gone@example.org", status="unsubscribed",
                   reason="Unsubscribed by an administrator",
                   status_at=NOW - timedelta(days=3))  # fmt: skip
    add_subscriber(mirror, NOW, {bridges["iMIS"]: "100002"}, "remote@example.org",
                   status="remote_unsubscribed", reason="Unsubscribed from remote system")
    add_subscriber(mirror, NOW, {bridges["iMIS"]: "100003"}, "old@example.org",
                   status="opted_out", status_at=NOW - timedelta(days=31))
    add_subscriber(mirror, NOW, {bridges["iMIS"]: "100004"}, "ok@example.org")

    assert [(q.bridge, q.type) for q in owed_not_queued(mirror, clock)] == [
        ("iMIS", "iUNSUB"), ("P360", "unsubscribe")]  # fmt: skip
    queued = queue_owed_writebacks(mirror, clock)
    assert [(q.bridge, q.type, q.due_at) for q in queued] == [
        ("iMIS", "iUNSUB", utc(2026, 11, 3, 6)), ("P360", "unsubscribe", NOW)]  # fmt: skip
    assert queue_owed_writebacks(mirror, clock) == []
    assert owed_not_queued(mirror, clock) == []
    with mirror.begin() as conn:  # even once sent, the same change is not queued again
        conn.execute(text("UPDATE writeback SET state = 'sent'"))
    clock.advance(days=1)
    assert queue_owed_writebacks(mirror, clock) == []
    assert rows(mirror, "SELECT COUNT(*) FROM writeback") == [(2,)]


def test_due_lists_the_nightly_writebacks(mirror, bridges):
    clock = FixedClock(NOW)
    add_subscriber(mirror, NOW, {bridges["iMIS"]: "100001"}, "a@example.org",
                   status="unsubscribed", status_at=NOW - timedelta(hours=1))
    add_subscriber(mirror, NOW, {bridges["iMIS"]: "100002"}, "b@example.org",
                   status="bad_email", status_at=NOW - timedelta(hours=1))
    assert [(w.bridge, w.type, w.count) for w in writebacks_due(mirror, clock)] == [
        ("iMIS", "iBADEMAIL", 1)]  # owed now; the iUNSUB waits for 01:00  # fmt: skip
    assert writebacks_waiting(mirror, clock) == {("iMIS", "iUNSUB"): 1}
    queue_owed_writebacks(mirror, clock)
    clock.current = utc(2026, 11, 3, 6)  # 01:00 EST: the batch is due
    due = writebacks_due(mirror, clock)
    assert [(w.bridge, w.type, w.count, w.reason) for w in due] == [
        ("iMIS", "iBADEMAIL", 1, "queued, due now"), ("iMIS", "iUNSUB", 1, "queued, due now")]
    assert writebacks_waiting(mirror, clock) == {}
