"""The console killed (a real SIGKILL) in the middle of a 100,000-member sync (issue 6).

A mirror holds a synced iMIS group of 100,000 people; the AMS then changes (a tenth of them
change status, a seventh their email) and a console process resyncs the group over the iMIS
sandbox's REST API and ODBC database. It is killed either while fetching (a third of the
records staged) or inside the merge transaction (subscribers already created, linked and
updated, not committed). Reopened, the mirror passes SQLite's integrity check, holds exactly
the state before that sync, and the sync log shows the run as interrupted. (That the next run
after a failed one succeeds is shown for every AMS in tests/test_faults_ams.py.)

The same guarantee on a ten-record group, and the refusal of a second sync of a busy bridge,
are in tests/test_interrupted.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from keyring.backends.fail import Keyring as NoKeyring
from mirror_helpers import rows, snapshot
from sqlalchemy.orm import Session

from informz_console.domain.clock import FixedClock
from informz_console.sandbox.imis import ImisSandbox
from informz_console.store.engine import open_engine
from informz_console.store.queries.runs import list_runs
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.interrupted import INTERRUPTED
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

MEMBERS = 100_000
GROUP = "$/Informz/Everyone"
CLOCK = FixedClock(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))

# The console: resyncs the group and, at the kill point, says so and waits to be killed.
CONSOLE = textwrap.dedent("""
    import sys, time
    from datetime import UTC, datetime
    from keyring.backends.fail import Keyring
    from informz_console.domain.clock import FixedClock
    from informz_console.store.engine import open_engine
    from informz_console.sync.credentials import CredentialStore
    from informz_console.sync.requests import SyncKind, SyncRequest
    from informz_console.sync.service import SyncService

    mirror, secret_name, group, phase, at = sys.argv[1:6]
    credentials = CredentialStore(Keyring())
    credentials.set(secret_name, sys.stdin.readline().strip())

    def progress(p):
        if p.phase == phase and p.done >= int(at):
            print("at the kill point", flush=True)
            time.sleep(600)

    service = SyncService(open_engine(mirror), credentials,
                          FixedClock(datetime(2026, 11, 2, 15, 0, tzinfo=UTC)))
    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=group),
                         progress=progress)
    print("finished", result.status, result.error, flush=True)
""")


class Synced:
    def __init__(self, mirror: Path, sandbox: ImisSandbox, secret_name: str) -> None:
        self.mirror, self.sandbox, self.secret_name = mirror, sandbox, secret_name

    def credentials(self) -> CredentialStore:
        credentials = CredentialStore(NoKeyring())
        credentials.set(self.secret_name, self.sandbox.password)
        return credentials


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    """A mirror with the 100,000-member group synced, and the AMS changed since."""
    directory = tmp_path_factory.mktemp("kill")
    with ImisSandbox.create(directory / "imis", members=MEMBERS, seed=3) as sandbox:
        path = directory / "mirror.sqlite"
        engine = open_engine(path)
        secret_name = save_bridge(engine, BridgeSpec("imis", "iMIS", sandbox.bridge_settings()),
                                  CLOCK)
        synced = Synced(path, sandbox, secret_name)
        service = SyncService(engine, synced.credentials(), CLOCK)
        assert service.run(SyncRequest("iMIS", SyncKind.REFRESH_LIST)).ok
        first = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=GROUP))
        assert first.ok, first.error
        assert first.counts.fetched == MEMBERS
        engine.dispose()  # the last connection closes: the WAL is checkpointed into the file
        sandbox.execute("UPDATE Name SET STATUS = CASE STATUS WHEN 'A' THEN 'I' ELSE 'A' END "
                        "WHERE CAST(ID AS INTEGER) % 10 = 0")
        sandbox.execute("UPDATE Name SET EMAIL = 'moved.' || ID || '@example.org' "
                        "WHERE CAST(ID AS INTEGER) % 7 = 0")
        yield synced


def kill_console_at(synced: Synced, mirror: Path, phase: str, at: int) -> None:
    console = subprocess.Popen(
        [sys.executable, "-c", CONSOLE, str(mirror), synced.secret_name, GROUP, phase, str(at)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        console.stdin.write(synced.sandbox.password + "\n")  # type: ignore[union-attr]
        console.stdin.close()  # type: ignore[union-attr]
        said = console.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        console.send_signal(signal.SIGKILL)
        console.wait()
    assert said == "at the kill point"
    assert console.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("phase", "at"),
    [("fetch", MEMBERS // 3),  # a third of the records staged
     ("merge", 6)],  # subscribers created, linked and updated inside the merge transaction
)
def test_a_console_killed_mid_sync_leaves_the_mirror_as_it_was(synced, tmp_path, phase, at):
    mirror = tmp_path / "mirror.sqlite"
    shutil.copyfile(synced.mirror, mirror)
    engine = open_engine(mirror)
    before = snapshot(engine)
    engine.dispose()

    kill_console_at(synced, mirror, phase, at)

    engine = open_engine(mirror)  # the console started again
    try:
        assert rows(engine, "SELECT status FROM sync_run ORDER BY id DESC LIMIT 1") == [
            ("running",)]
        SyncService(engine, synced.credentials(), CLOCK)  # marks the dead console's run
        assert rows(engine, "PRAGMA integrity_check") == [("ok",)]
        assert snapshot(engine) == before
        with Session(engine) as session:
            newest = list_runs(session, bridge="iMIS", limit=1)[0]
        assert (newest.status, newest.error) == ("interrupted", INTERRUPTED)

    finally:
        engine.dispose()
        assert not os.path.exists(str(mirror) + "-journal")
