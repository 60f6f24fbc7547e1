"""A large group read by a process of its own (sync/fetch_process), for every AMS, for real.

The child gives the mirror a read in the console's process would give; an AMS fault there is
the same one sentence; cancel, and a child killed outright, leave the mirror as it was; no
child outlives its run; the secret is on neither its command line nor in its environment.
`fetch_process_from=1` sends even the tests' small groups to the child. The groups are large
enough (5,000 records) that the pipe is full long before the child is done: while this process
handles its first page, the child is still there, waiting to send.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_helpers import KINDS, AmsBridge, assert_one_sentence, secret_of
from mirror_helpers import rows, snapshot
from process_helpers import live_children

from informz_console.sync.cancel import CancelToken, Progress
from informz_console.sync.last_synced import LastSynced
from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult
from informz_console.sync.service import SyncService

# The child never opens the mirror: what it changes is the same on either backend.
pytestmark = pytest.mark.sqlite_only

CHILD_MODULE = "informz_console.sync.fetch_process"
MEMBERS = 5_000
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads the child's command line and environment in /proc")


@pytest.fixture(params=KINDS)
def bridge(request, tmp_path, mirror, credentials, clock) -> Iterator[AmsBridge]:
    bridge = AmsBridge.start(request.param, tmp_path / "ams", mirror, credentials, clock,
                             members=MEMBERS)
    try:
        assert bridge.refresh().ok
        yield bridge
    finally:
        bridge.stop()


def resync(bridge: AmsBridge, from_size: int, progress=None,  # type: ignore[no-untyped-def]
           cancel: CancelToken | None = None) -> SyncResult:
    service = SyncService(bridge.engine, bridge.credentials, bridge.clock,
                          fetch_process_from=from_size)
    request = SyncRequest(bridge.name, SyncKind.RESYNC_GROUP, group=bridge.group)
    return service.run(request, progress=progress or (lambda _: None), cancel=cancel)


def fetch_children() -> list[int]:
    return live_children(CHILD_MODULE)


def by_reason(mirror, run_id: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    return rows(mirror, "SELECT reason, COUNT(*) FROM exclusion WHERE run_id = :r "
                        "GROUP BY reason ORDER BY reason", r=run_id)


@linux_only
def test_the_child_gives_the_mirror_the_console_process_would(bridge, mirror):
    through_child = resync(bridge, from_size=1)
    assert through_child.ok, through_child.error
    assert through_child.counts.added > 0
    assert fetch_children() == []
    in_process = resync(bridge, from_size=10**9)  # the same group read here: nothing to change
    assert in_process.ok, in_process.error
    c = in_process.counts
    assert (c.fetched, c.added, c.updated, c.removed) == (through_child.counts.fetched, 0, 0, 0)
    assert by_reason(mirror, in_process.run_id) == by_reason(mirror, through_child.run_id)


def passed_over(mirror, run_id: int) -> int:  # type: ignore[no-untyped-def]
    lines = [m for (m,) in rows(mirror, "SELECT message FROM run_log WHERE run_id = :r",
                                r=run_id) if "passed over" in m]
    return int(lines[0].split(" of ")[0].replace(",", "")) if lines else 0


def test_the_child_and_the_console_process_pass_over_the_same_records(bridge, mirror):
    """The child splits the pages by the digests it is sent (sync/last_synced); what it and
    the console's process digest is the same, so either passes over what the other synced."""
    first = resync(bridge, from_size=1)
    assert first.ok, first.error
    here = resync(bridge, from_size=10**9)
    there = resync(bridge, from_size=1)
    assert here.ok and there.ok, (here.error, there.error)
    assert passed_over(mirror, first.run_id) == 0
    assert passed_over(mirror, here.run_id) == passed_over(mirror, there.run_id)
    if bridge.kind == "idss":  # never passed over: it writes each contact's code after the run
        assert passed_over(mirror, there.run_id) == 0
    else:
        assert passed_over(mirror, there.run_id) > MEMBERS // 2
    for run in (here, there):
        assert (run.counts.added, run.counts.updated, run.counts.removed) == (0, 0, 0)
        assert by_reason(mirror, run.run_id) == by_reason(mirror, first.run_id)


@linux_only
def test_the_child_starts_before_the_digests_it_splits_by_are_read(bridge, mirror,
                                                                   monkeypatch):
    """The child connects and asks the AMS for the group while the console reads the last
    sync's digests; they follow it before its first page is split. Watched, not replaced:
    the digests are read as always, and the run passes over what it did before."""
    first = resync(bridge, from_size=1)
    assert first.ok, first.error
    children_at_load: list[list[int]] = []
    load = LastSynced.load

    def watched(self, conn, bridge_id):  # type: ignore[no-untyped-def]
        children_at_load.append(fetch_children())
        load(self, conn, bridge_id)

    monkeypatch.setattr(LastSynced, "load", watched)
    second = resync(bridge, from_size=1)
    assert second.ok, second.error
    assert (second.counts.added, second.counts.updated, second.counts.removed) == (0, 0, 0)
    assert fetch_children() == []
    if bridge.kind == "idss":  # never passed over (it writes each contact's code): no digests
        assert children_at_load == []
        return
    assert len(children_at_load) == 1 and children_at_load[0], "no child ran during the load"
    assert passed_over(mirror, second.run_id) > MEMBERS // 2


@linux_only
def test_the_secret_is_not_on_the_childs_command_line_or_in_its_environment(bridge):
    secret = secret_of(bridge.sandbox).encode()
    seen: list[tuple[bytes, bytes]] = []

    def look(progress: Progress) -> None:
        if progress.phase == "fetch" and progress.done and not seen:
            for pid in fetch_children():
                proc = Path("/proc", str(pid))
                seen.append(((proc / "cmdline").read_bytes(), (proc / "environ").read_bytes()))

    result = resync(bridge, from_size=1, progress=look)
    assert result.ok, result.error
    assert seen, "no fetch child was running while the group was read"
    for cmdline, environ in seen:
        assert CHILD_MODULE.encode() in cmdline
        assert secret not in cmdline and secret not in environ


def test_an_ams_fault_in_the_child_is_the_same_one_sentence(bridge, mirror):
    first = resync(bridge, from_size=1)
    assert first.ok, first.error
    before = snapshot(mirror)
    bridge.sandbox.set_fault("garbage")  # an unreadable answer: not retried
    try:
        in_child = resync(bridge, from_size=1)
        in_process = resync(bridge, from_size=10**9)
    finally:
        bridge.sandbox.set_fault(None)
    assert in_child.status == "failed"
    assert_one_sentence(in_child.error, bridge.name, bridge.site)
    assert in_child.error == in_process.error
    assert snapshot(mirror) == before
    assert resync(bridge, from_size=1).ok


@linux_only
def test_cancel_ends_the_child_and_leaves_the_mirror_as_it_was(bridge, mirror):
    first = resync(bridge, from_size=1)
    assert first.ok, first.error
    before = snapshot(mirror)
    cancel = CancelToken()
    children: list[list[int]] = []

    def cancel_after_the_first_page(progress: Progress) -> None:
        if progress.phase == "fetch" and progress.done and not cancel.cancelled:
            children.append(fetch_children())
            cancel.cancel()

    result = resync(bridge, from_size=1, progress=cancel_after_the_first_page, cancel=cancel)
    assert result.status == "cancelled"
    assert children and children[0], "the group was not read by a child"
    assert fetch_children() == []
    assert snapshot(mirror) == before


@linux_only
def test_a_child_killed_outright_fails_the_run_and_changes_nothing(bridge, mirror):
    first = resync(bridge, from_size=1)
    assert first.ok, first.error
    before = snapshot(mirror)
    killed: list[int] = []

    def kill_the_child(progress: Progress) -> None:
        if progress.phase == "fetch" and progress.done and not killed:
            for pid in fetch_children():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    result = resync(bridge, from_size=1, progress=kill_the_child)
    assert killed
    assert result.status == "failed"
    assert_one_sentence(result.error)
    assert "stopped unexpectedly" in result.error
    assert snapshot(mirror) == before
    assert fetch_children() == []
