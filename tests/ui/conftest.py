"""Qt fixtures: a `Services` over the test's mirror, a main window, and a guard that fails any
test leaving a job thread running (a window must cancel and join its work on close)."""

from __future__ import annotations

import pytest
from gui_helpers import wait_jobs
from PySide6.QtCore import QThread

from informz_console.ui.main_window import MainWindow
from informz_console.ui.services import Services
from informz_console.ui.window_settings import window_settings
from informz_console.user_settings import UserSettings


@pytest.fixture(autouse=True)
def _private_config(tmp_path, monkeypatch):
    """Window settings and user settings in the test's own directory, never the user's."""
    monkeypatch.setenv("INFORMZ_CONSOLE_CONFIG", str(tmp_path / "config"))


@pytest.fixture
def services(qapp, mirror, credentials, clock):
    made = Services("mirror.sqlite", mirror, credentials, clock, UserSettings())
    yield made
    made.jobs.shutdown()
    leaked = [job.label for job in made.jobs.running]
    assert not leaked, f"jobs left running: {leaked}"


@pytest.fixture
def window(qtbot, services):
    made = MainWindow(services, window_settings())
    qtbot.addWidget(made)
    made.show()
    yield made
    made.close()


@pytest.fixture(autouse=True)
def _no_thread_left(qapp):
    yield
    threads = [t for t in qapp.findChildren(QThread) if t.isRunning()]
    assert not threads, f"threads left running: {[t.objectName() for t in threads]}"


# -- the demo sandbox, once per test session -------------------------------------------------

DEMO_MEMBERS = 300


@pytest.fixture(scope="session")
def demo_sandbox(tmp_path_factory):
    """The four sandbox AMS on loopback and a mirror synced from them (the template each test
    copies). Tests that change a sandbox (a fault, a deleted contact) must undo it."""
    from keyring.backends.fail import Keyring as NoKeyring
    from sqlalchemy import create_engine

    from informz_console.demo import demo_endpoints, sync_everything, wire_bridges
    from informz_console.domain.clock import SystemClock
    from informz_console.store.engine import open_engine
    from informz_console.sync.credentials import CredentialStore
    from informz_console.sync.service import SyncService

    template = tmp_path_factory.mktemp("demo") / "template.sqlite"
    credentials = CredentialStore(NoKeyring())
    with demo_endpoints(members=DEMO_MEMBERS) as endpoints:
        engine = open_engine(template)
        bridges = wire_bridges(engine, credentials, SystemClock(), endpoints)
        outcome = sync_everything(SyncService(engine, credentials), bridges)
        assert outcome.ok, [r.error for _, r in outcome.results if not r.ok]
        engine.dispose()
        # one file: fold the WAL in so a plain copy is the whole mirror
        folded = create_engine(f"sqlite:///{template}")
        with folded.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        folded.dispose()
        yield endpoints, template, credentials


@pytest.fixture
def demo_services(qapp, demo_sandbox, tmp_path):
    """A Services over a private copy of the synced demo mirror, sandboxes running."""
    import shutil

    from informz_console.domain.clock import SystemClock
    from informz_console.store.engine import open_engine

    endpoints, template, credentials = demo_sandbox
    path = tmp_path / "demo-mirror.sqlite"
    shutil.copyfile(template, path)
    made = Services(str(path), open_engine(path), credentials, SystemClock(), UserSettings())
    made.endpoints = endpoints  # type: ignore[attr-defined]  # the running sandboxes
    yield made
    made.jobs.shutdown()
    made.engine.dispose()


class TonightClock:
    """Real time moved, when it is daytime, to tonight's start (18:00 Eastern) plus a few
    minutes, so tests of the nightly rules (seed 000) pass whatever hour the suite runs; it
    still moves forward, as run durations need."""

    def __init__(self) -> None:
        from datetime import UTC, datetime, timedelta

        from informz_console.domain.triggers import EASTERN, NIGHT_START, night_of

        now = datetime.now(UTC)
        self._offset = timedelta(0)
        if night_of(now) is None:
            local = now.astimezone(EASTERN)
            start = datetime.combine(local.date(), NIGHT_START, EASTERN) + timedelta(minutes=5)
            self._offset = start - now

    def now(self):  # type: ignore[no-untyped-def]
        from datetime import UTC, datetime

        return datetime.now(UTC) + self._offset


@pytest.fixture
def night_services(demo_services):
    """The demo's services with a clock at night (before any window uses it)."""
    demo_services.clock = TonightClock()
    return demo_services


@pytest.fixture
def night_window(qtbot, night_services):
    yield from _started_window(qtbot, night_services)


@pytest.fixture
def demo_window(qtbot, demo_services):
    yield from _started_window(qtbot, demo_services)


def _started_window(qtbot, services):  # type: ignore[no-untyped-def]
    """A main window on `services`, shown and started (no login syncs), its jobs done."""
    made = MainWindow(services, window_settings())
    qtbot.addWidget(made)
    made.show()
    made.start(login_syncs=False)
    wait_jobs(qtbot, services)
    yield made
    made.close()
