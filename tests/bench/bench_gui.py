"""The console's responsiveness probe: does the window stay live while a big resync runs?

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_gui [--members 1000000]

A QTimer asks to tick every 5 ms on the GUI thread. The probe reports the longest gap between
ticks (a) with the window idle (the baseline, same process) and (b) while a resync of an
N-member iMIS group (the sandbox served from another process) runs in a job, then (c) opening
that group's member table (key list in a job) and scrolling it to 200 random places.
Target (issue 4): the longest gap under 50 ms. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.bench_sync import AMS, ensure_sandbox

TICK_MS = 5


class GapProbe:
    """The longest wait between two ticks of a GUI-thread timer."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.reset()

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.reset()
        self.timer.start()


class GcPauses:
    """The longest full garbage collection (it holds the GIL: every thread waits)."""

    def __init__(self) -> None:
        import gc

        self.longest, self.count, self._started = 0.0, 0, 0.0
        gc.callbacks.append(self._on)

    def _on(self, phase: str, info: dict) -> None:  # type: ignore[type-arg]
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.longest = max(self.longest, time.perf_counter() - self._started)


def spin_until(app, done, timeout_s: float = 3600) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "informz-bench"))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(args.workdir)
    box_dir = ensure_sandbox("imis", work, args.members)
    server = subprocess.Popen([sys.executable, "-m", "tests.bench.bench_sync", "--workdir",
                               str(work), "--ams", "imis", "--child", "serve"],
                              stdout=subprocess.PIPE, text=True)
    try:
        site = server.stdout.readline().strip()  # type: ignore[union-attr]
        probe(work, box_dir / AMS["imis"]["db"], site, AMS["imis"]["group"])
    finally:
        server.terminate()
        server.wait()


def probe(work: Path, db: Path, site: str, group: str) -> None:
    from keyring.backends.fail import Keyring
    from PySide6.QtWidgets import QApplication, QTableView
    from sqlalchemy import select

    from informz_console.store.models import TargetGroup
    from informz_console.store.queries import group_rows
    from informz_console.sync.bridges import BridgeSpec, save_bridge
    from informz_console.sync.credentials import CredentialStore
    from informz_console.sync.requests import SyncKind, SyncRequest
    from informz_console.ui.interpreter_policy import InterpreterPolicy
    from informz_console.ui.lazy_model import LazyTableModel
    from informz_console.ui.services import Services

    app = QApplication.instance() or QApplication([])
    for path in work.glob("gui.sqlite*"):
        path.unlink()
    services = Services.open(work / "gui.sqlite", credentials=CredentialStore(Keyring()))
    spec = BridgeSpec("imis", "Bench", AMS["imis"]["settings"](db, site))
    services.credentials.set(save_bridge(services.engine, spec, services.clock),
                             AMS["imis"]["password"])
    assert services.sync.run(SyncRequest("Bench", SyncKind.REFRESH_LIST)).ok
    InterpreterPolicy.settle()  # as the console does once its first window is up
    gaps = GapProbe()
    collections = GcPauses()

    gaps.start()
    spin_until(app, lambda: False, timeout_s=2.0)
    idle = gaps.longest

    outcome: list = []
    started = time.perf_counter()
    collections.longest, collections.count = 0.0, 0
    gaps.start()
    services.jobs.submit("Resync", lambda c, p: services.sync.run(
        SyncRequest("Bench", SyncKind.RESYNC_GROUP, group), p, c),
        on_done=outcome.append, on_error=outcome.append)
    spin_until(app, lambda: bool(outcome) and not services.jobs.running)
    during, ticks, took = gaps.longest, gaps.ticks, time.perf_counter() - started
    gc_longest, gc_count = collections.longest, collections.count
    result = outcome[0]
    gaps.start()  # the seconds after the job: the freed sync must not stall the window
    spin_until(app, lambda: False, timeout_s=3.0)
    after_job = gaps.longest

    with services.session() as session:
        group_id = session.scalar(select(TargetGroup.id).where(TargetGroup.remote_key == group))
    members = group_rows.group_members(group_id, group, "Bench")  # the table count details open

    def member_ids(cancel, progress):  # type: ignore[no-untyped-def]
        with services.session() as session:
            return members.keys(session)

    def rows(keys):  # type: ignore[no-untyped-def]
        with services.session() as session:
            return members.rows(session, keys)

    model = LazyTableModel(list(members.columns), rows)
    view = QTableView()
    view.setModel(model)
    view.resize(900, 700)
    view.show()
    keys: list = []
    gaps.start()
    collections.longest, collections.count = 0.0, 0
    opened = time.perf_counter()
    services.jobs.submit("Members", member_ids, on_done=keys.append)
    spin_until(app, lambda: bool(keys) and not services.jobs.running)
    painted = time.perf_counter()
    model.set_keys(keys[0])
    app.processEvents()  # the first rows are read and painted on the GUI thread
    first_paint = time.perf_counter() - painted
    open_s = time.perf_counter() - opened
    randomly = random.Random(1)
    worst_scroll = 0.0
    for _ in range(200):
        step = time.perf_counter()
        view.scrollTo(model.index(randomly.randrange(model.rowCount()), 1))
        app.processEvents()
        worst_scroll = max(worst_scroll, time.perf_counter() - step)
    scrolling, shown = gaps.longest, model.rowCount()
    scroll_gc = collections.longest
    view.close()
    del view, model  # before the interpreter tears Qt down
    services.close()

    ms = 1000
    print(f"idle window: longest gap between {TICK_MS} ms ticks {idle * ms:.1f} ms (baseline)")
    print(f"during a resync of {result.counts.fetched:,} members ({took:.1f} s in a job, "
          f"{ticks:,} ticks): longest gap {during * ms:.1f} ms = {during / idle:.1f}x idle "
          f"(target < 50 ms); longest garbage collection {gc_longest * ms:.1f} ms "
          f"of {gc_count:,}")
    print(f"the 3 s after the resync ended: longest gap {after_job * ms:.1f} ms = "
          f"{after_job / idle:.1f}x idle")
    print(f"opening the {shown:,}-member table: {open_s:.2f} s (key list in a job; "
          f"first rows painted in {first_paint * ms:.1f} ms); "
          f"200 random scrolls: worst step {worst_scroll * ms:.1f} ms, longest gap "
          f"{scrolling * ms:.1f} ms = {scrolling / idle:.1f}x idle; longest garbage "
          f"collection {scroll_gc * ms:.1f} ms")


if __name__ == "__main__":
    main()
