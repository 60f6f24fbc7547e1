"""Syncs and readers at the same time (issue 6): a second sync of a bridge that is syncing is
refused with one sentence, and a reader (what the GUI's tabs run) sees the mirror before the
merge commits or after it, never half of it.

Real threads on one mirror: the running sync is held at a point of its work (mid-fetch, or
inside the merge transaction) by its own progress callback or its AMS, while the test acts.
"""

from __future__ import annotations

import threading

import pytest
from fault_helpers import assert_one_sentence
from held_sync import RESYNC, WAIT_S, Background, HeldAms
from mirror_helpers import add_bridge, snapshot
from sqlalchemy import select
from sqlalchemy.orm import Session
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.store.models import TargetGroup
from informz_console.store.queries.counts import group_counts
from informz_console.sync.cancel import Progress
from informz_console.sync.service import SyncService


def people(ids: range, status: str = "A") -> list[R]:
    return [R(str(n), f"person{n}@example.org", status) for n in ids]


@pytest.fixture
def ams(mirror, credentials, clock) -> StaticAms:
    add_bridge(mirror, clock, groups=("G",))
    credentials.set("bridge:imis:iMIS", "pw")
    return StaticAms(groups={"G": people(range(1, 31))}, page_size=10)


def test_a_second_sync_of_a_syncing_bridge_is_refused(mirror, credentials, clock, ams):
    reached, release = threading.Event(), threading.Event()
    first = Background(SyncService(mirror, credentials, clock,
                                   connector_for=lambda b, c: HeldAms(ams, reached, release)))
    try:
        assert reached.wait(WAIT_S)  # the first sync is fetching
        before = snapshot(mirror)
        other_console = SyncService(mirror, credentials, clock,
                                    connector_for=lambda b, c: StaticConnector(ams))
        second = other_console.run(RESYNC)
        assert second.status == "failed"
        assert second.error.startswith("This bridge is already syncing (run #")
        assert_one_sentence(second.error, "wait for it to finish")
        assert snapshot(mirror) == before
    finally:
        release.set()
    done = first.join()
    assert done.ok, done.error
    assert done.counts.members_after == 30
    again = SyncService(mirror, credentials, clock,
                        connector_for=lambda b, c: StaticConnector(ams)).run(RESYNC)
    assert again.ok, again.error  # the bridge is free again


def read_counts(mirror) -> tuple[int, int | None, int]:
    """What the GUI's counts show for group G: members, fetched and excluded by the latest
    resync. Read as the GUI's tables read (ui/idss/reading.py): a SQLite read begins DEFERRED,
    so in WAL mode it sees the last committed state and never waits for the merge's lock."""
    with mirror.connect() as conn, Session(
            bind=conn.execution_options(sqlite_begin="DEFERRED")) as session:
        group = session.scalars(select(TargetGroup).where(TargetGroup.remote_key == "G")).one()
        counts = group_counts(session, group, "iMIS")
        return counts.members, counts.fetched, counts.excluded_total


def test_a_reader_sees_the_mirror_before_or_after_the_merge_never_half(
        mirror, credentials, clock, ams):
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda b, c: StaticConnector(ams))
    assert service.run(RESYNC).ok
    old = read_counts(mirror)
    assert old == (30, 30, 0)
    # The AMS changes: ten leave, twenty join, five lose their status.
    ams.groups["G"] = people(range(11, 46)) + people(range(46, 51), status="I")

    in_merge, release = threading.Event(), threading.Event()

    def hold_in_merge(p: Progress) -> None:
        if p.phase == "merge" and p.done == 8:  # created, linked, updated, memberships set
            in_merge.set()
            assert release.wait(WAIT_S)

    writer = Background(service, progress=hold_in_merge)
    try:
        assert in_merge.wait(WAIT_S)
        seen_during = [read_counts(mirror) for _ in range(3)]
    finally:
        release.set()
    result = writer.join()
    assert result.ok, result.error
    assert seen_during == [old] * 3  # the merge is not committed: the old state, whole
    assert read_counts(mirror) == (35, 40, 5)  # committed: the new state, whole
