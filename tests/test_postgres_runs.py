"""Syncs on a shared PostgreSQL mirror: what SQLite's single writer gave for free, proven with
real processes and threads on a real server (sync/locks.py).

- A run whose console died holds nothing: the bridge is free again whatever machine ran it.
- A run another console is running is left alone, wherever that console runs.
- Two merges never interleave: a sync waits for the merge before it and then sees its work.
"""

from __future__ import annotations

import threading

import pytest
from held_sync import RESYNC, WAIT_S, Background, HeldAms
from mirror_helpers import add_bridge, rows, snapshot
from sqlalchemy import text
from stalled_console import kill_mid_fetch
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.sync.locks import lock_merges
from informz_console.sync.service import SyncService

pytestmark = pytest.mark.postgres_only




@pytest.fixture
def ams(mirror, credentials, clock) -> StaticAms:
    add_bridge(mirror, clock, groups=("G",))
    credentials.set("bridge:imis:iMIS", "pw")
    return StaticAms(groups={"G": [R("1", "first@example.org", "A")]})


def service_on(mirror, credentials, clock, connector) -> SyncService:  # type: ignore[no-untyped-def]
    return SyncService(mirror, credentials, clock, connector_for=lambda b, c: connector)


def test_a_console_killed_on_another_machine_does_not_block_the_bridge(
        mirror, credentials, clock, ams):
    assert service_on(mirror, credentials, clock, StaticConnector(ams)).run(RESYNC).ok
    before = snapshot(mirror)
    url = mirror.url.render_as_string(hide_password=False)
    kill_mid_fetch(url)
    with mirror.begin() as conn:  # as if it ran elsewhere: no process here to look for
        conn.execute(text("UPDATE sync_run SET owner = 'laptop-of-a-colleague:4242' "
                          "WHERE status = 'running'"))
    assert snapshot(mirror) == before  # the killed run's stage died with its connection
    result = service_on(mirror, credentials, clock, StaticConnector(ams)).run(RESYNC)
    assert result.ok, result.error
    assert rows(mirror, "SELECT id, status, error FROM sync_run ORDER BY id") == [
        (1, "succeeded", None),
        (2, "interrupted", "The console stopped before this run finished; nothing of it was "
                           "applied."),
        (3, "succeeded", None)]


def test_a_run_another_machine_is_running_is_left_running(mirror, credentials, clock, ams):
    reached, release = threading.Event(), threading.Event()
    ams.groups["G"] = [R(str(n), f"p{n}@example.org", "A") for n in range(6)]
    running = Background(service_on(mirror, credentials, clock, HeldAms(ams, reached, release)))
    try:
        assert reached.wait(WAIT_S)
        with mirror.begin() as conn:
            conn.execute(text("UPDATE sync_run SET owner = 'laptop-of-a-colleague:4242'"))
        service_on(mirror, credentials, clock, StaticConnector(ams))  # opening marks the dead
        assert rows(mirror, "SELECT status FROM sync_run") == [("running",)]
        refused = service_on(mirror, credentials, clock, StaticConnector(ams)).run(RESYNC)
        assert refused.error == ("This bridge is already syncing (run #1, started 2026-11-02 "
                                 "14:00 UTC by laptop-of-a-colleague:4242); wait for it to "
                                 "finish.")
    finally:
        release.set()
    assert running.join().ok
    assert rows(mirror, "SELECT status FROM sync_run ORDER BY id") == [("succeeded",),
                                                                        ("failed",)]


def test_a_merge_waits_for_the_merge_before_it_and_sees_its_work(
        mirror, credentials, clock, ams):
    """Another console's merge (here: the test's own transaction, holding the merge lock)
    creates the subscriber this sync also brings. The sync waits for it to commit, then links
    its record to that subscriber; it never resolves against the mirror half-way."""
    ams.groups["G"] = [R("7", "shared@example.org", "A")]
    with mirror.connect() as other:
        other.begin()
        lock_merges(other)
        other.execute(text(
            "INSERT INTO subscriber (email, email_key, status, source, created_at, updated_at) "
            "VALUES ('shared@example.org', 'shared@example.org', 'active', 'upload', "
            "now(), now())"))
        sync = Background(service_on(mirror, credentials, clock, StaticConnector(ams)))
        _wait_for_a_merge_waiting(mirror)
        other.commit()
    result = sync.join()
    assert result.ok, result.error
    assert rows(mirror, "SELECT s.email_key, s.source FROM subscriber s JOIN subscriber_link l "
                        "ON l.subscriber_id = s.id WHERE l.ams_id = '7'") == [
        ("shared@example.org", "upload")]
    assert rows(mirror, "SELECT change, detail FROM run_change WHERE run_id = :r "
                        "ORDER BY change", r=result.run_id) == [
        ("added", None), ("linked", "AMS id added to the existing subscriber")]


def _wait_for_a_merge_waiting(mirror) -> None:  # type: ignore[no-untyped-def]
    """Until a connection waits for the merge lock (a state on the server, not a time)."""
    waiting = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    with mirror.connect() as conn:
        for _ in range(WAIT_S * 10):
            if conn.execute(waiting).scalar_one():
                return
            conn.rollback()  # a new look at pg_locks
            threading.Event().wait(0.1)
    raise AssertionError("the sync never reached its merge")
