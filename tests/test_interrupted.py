"""A console killed in the middle of a sync: the mirror holds exactly the state before it, passes
an integrity check, and the sync log shows the run as interrupted (a real SIGKILL)."""

from __future__ import annotations

import os
import socket

from mirror_helpers import add_bridge, rows, snapshot
from stalled_console import kill_mid_fetch
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.store.engine import open_engine
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService


def test_a_killed_sync_leaves_the_mirror_as_it_was(tmp_path, credentials, clock):
    path = tmp_path / "mirror.sqlite"
    engine = open_engine(path)
    add_bridge(engine, clock, groups=("G",))
    credentials.set("bridge:imis:iMIS", "pw")
    ams = StaticAms(groups={"G": [R("1", "first@example.org", "A")]})
    SyncService(engine, credentials, clock,
                connector_for=lambda bridge, creds: StaticConnector(ams)).run(
        SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G"))
    before = snapshot(engine)
    kill_mid_fetch(str(path))
    assert rows(engine, "SELECT status FROM sync_run ORDER BY id") == [("succeeded",),
                                                                        ("running",)]
    SyncService(engine, credentials, clock)  # a console opening the mirror again
    assert rows(engine, "PRAGMA integrity_check") == [("ok",)]
    assert snapshot(engine) == before
    (status, error), = rows(engine, "SELECT status, error FROM sync_run WHERE id = 2")
    assert status == "interrupted" and "nothing of it was applied" in error


def test_a_live_run_of_another_process_is_not_marked(mirror, credentials, clock):
    add_bridge(mirror, clock, groups=("G",))
    with mirror.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_run (bridge_id, trigger, kind, mode, status, started_at, fetched,"
            " added, updated, removed, excluded, owner) VALUES (1, 'manual', 'resync_group',"
            " 'live', 'running', '2026-11-02 14:00:00', 0, 0, 0, 0, 0, ?)",
            (f"{socket.gethostname()}:{os.getpid()}",))
    SyncService(mirror, credentials, clock)
    assert rows(mirror, "SELECT status FROM sync_run") == [("running",)]


def test_two_syncs_of_one_bridge_at_once_are_refused(mirror, credentials, clock):
    """A second sync of a bridge that is already syncing is refused with one sentence and
    leaves the mirror as it was; the running one is untouched."""
    add_bridge(mirror, clock, groups=("G",))
    credentials.set("bridge:imis:iMIS", "pw")
    with mirror.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_run (bridge_id, trigger, kind, mode, status, started_at, fetched,"
            " added, updated, removed, excluded, owner) VALUES (1, 'manual', 'resync_group',"
            " 'live', 'running', '2026-11-02 14:00:00', 0, 0, 0, 0, 0, ?)",
            (f"{socket.gethostname()}:{os.getpid()}",))
    before = snapshot(mirror)
    ams = StaticAms(groups={"G": [R("1", "first@example.org", "A")]})
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda bridge, creds: StaticConnector(ams))
    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G"))
    assert result.status == "failed"
    assert result.error.startswith("This bridge is already syncing (run #1, started "
                                   "2026-11-02 14:00 UTC by ")
    assert snapshot(mirror) == before
    assert rows(mirror, "SELECT status FROM sync_run ORDER BY id") == [("running",), ("failed",)]
