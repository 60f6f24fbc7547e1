"""A console killed mid-fetch, for real: `kill_mid_fetch(mirror)` runs a sync of bridge 'iMIS',
group 'G' in a child process on that mirror (a path or URL), waits until it is fetching, and
SIGKILLs it. The child's run stays `running` in the mirror, as a crashed console leaves it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

TESTS = Path(__file__).parent

CHILD = textwrap.dedent("""
    import sys, threading
    from datetime import UTC, datetime
    from keyring.backends.fail import Keyring
    from informz_console.domain.clock import FixedClock
    from informz_console.domain.records import RemoteRecord as R
    from informz_console.store.engine import open_engine
    from informz_console.sync.credentials import CredentialStore
    from informz_console.sync.requests import SyncKind, SyncRequest
    from informz_console.sync.service import SyncService
    from static_connector import StaticAms, StaticConnector

    class Stalls(StaticConnector):
        def _pages(self, items, cancel):
            yield items[:3]
            print("fetching", flush=True)
            threading.Event().wait()  # killed here, mid-fetch

    credentials = CredentialStore(Keyring())
    credentials.set("bridge:imis:iMIS", "pw")
    ams = StaticAms(groups={"G": [R(str(n), f"p{n}@example.org", "A") for n in range(10)]})
    service = SyncService(open_engine(sys.argv[1]), credentials,
                          FixedClock(datetime(2026, 11, 2, tzinfo=UTC)),
                          connector_for=lambda bridge, creds: Stalls(ams))
    service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G"))
""")


def kill_mid_fetch(mirror: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, mirror], stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONPATH": str(TESTS)})
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "fetching"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
