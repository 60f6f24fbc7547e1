"""A console killed (SIGKILL) in the middle of delivering writebacks, then started again:
every writeback reaches iMIS exactly once, none is lost (issue 5, "Done means").

Real parts: `informz-console writebacks --deliver` runs as its own process against the iMIS
sandbox (ODBC) and a SQLite mirror file. The kill is placed exactly in the worst window: the
test takes the mirror's write lock after some rows were delivered, so the console commits one
more Activity row in iMIS and then waits to record it as sent; the test sees that row in iMIS,
unrecorded, and kills the process there. The restarted console must take back the dead
console's claims at once (not after the 15-minute lease) and recognise the unrecorded row by
the outbox key it carries in UF_3, instead of writing it again.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from imis_fixtures import imis, imis_template  # noqa: F401
from writeback_helpers import members

from informz_console.domain.clock import FixedClock
from informz_console.store.engine import open_engine
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.outbox import bridge_id_of, enqueue

BATCH = 150
KEY = "kill-test:"


def _wait_for(what: str, check: Callable[[], bool], proc: subprocess.Popen,
              seconds: float) -> None:  # fmt: skip
    deadline = time.monotonic() + seconds
    while not check():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the console ended before {what}: {proc.returncode} {out} {err}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


def _console(mirror_path, env, imis) -> subprocess.Popen:  # noqa: F811
    proc = subprocess.Popen(
        [sys.executable, "-m", "informz_console", "--mirror", str(mirror_path), "writebacks",
         "--deliver", "--bridge", "iMIS"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env)  # fmt: skip
    proc.stdin.write(imis.password + "\n")  # no keyring here: the password on standard input
    proc.stdin.close()
    proc.stdin = None
    return proc


def _written(imis) -> int:  # noqa: F811
    return imis.execute(f"SELECT COUNT(*) FROM Activity WHERE UF_3 LIKE 'informz:{KEY}%'")[0][0]


def _states(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT state, COUNT(*) FROM writeback GROUP BY state").fetchall())


@pytest.fixture
def queued_mirror(tmp_path, imis):  # noqa: F811
    """A SQLite mirror file with BATCH iUNSUB writebacks for the sandbox, all due."""
    path = tmp_path / "mirror.sqlite"
    engine = open_engine(path)
    now = datetime.now(UTC) - timedelta(minutes=1)  # the console runs on the real clock
    save_bridge(engine, BridgeSpec("imis", "iMIS", imis.bridge_settings()), FixedClock(now))
    bridge_id = bridge_id_of(engine, "iMIS")
    with engine.begin() as conn:
        for i, ams_id in enumerate(members(imis, BATCH)):
            enqueue(conn, bridge_id=bridge_id, subscriber_id=None, type="iUNSUB",
                    key=f"{KEY}{i:04d}", payload={"ams_id": ams_id, "email": f"m{i}@example.org"},
                    now=now)  # fmt: skip
    engine.dispose()
    return path


def test_killed_mid_delivery_then_restarted_sends_each_writeback_once(queued_mirror, imis,  # noqa: F811
                                                                      tmp_path):  # fmt: skip
    env = {**os.environ, "INFORMZ_CONSOLE_CONFIG": str(tmp_path / "config"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # fmt: skip
    imis.slow_activity_writes(300_000)  # each Activity insert takes a moment: a long batch
    counter_before = imis.execute("SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME = "
                                  "'Activity'")[0][0]  # fmt: skip
    watch = sqlite3.connect(queued_mirror, timeout=30, isolation_level=None)
    proc = _console(queued_mirror, env, imis)
    try:
        _wait_for("a few deliveries", lambda: _states(watch).get("sent", 0) >= 5, proc, 120)
        watch.execute("BEGIN IMMEDIATE")  # the console cannot record its next outcome now
        _wait_for("one row written to iMIS but not recorded",
                  lambda: _written(imis) == _states(watch).get("sent", 0) + 1, proc, 8)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        watch.execute("ROLLBACK") if watch.in_transaction else None
    assert proc.returncode == -signal.SIGKILL
    states = _states(watch)
    sent = states["sent"]
    assert states == {"sent": sent, "processing": BATCH - sent}  # mid-batch, nothing lost yet
    assert _written(imis) == sent + 1  # the row iMIS took but the mirror never recorded

    imis.slow_activity_writes(None)
    again = _console(queued_mirror, env, imis)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    # the dead console's claims are taken back at once, not after their 15-minute lease
    assert f"{BATCH - sent} writebacks due: {BATCH - sent} sent." in out
    assert _states(watch) == {"sent": BATCH}
    per_key = imis.execute(f"SELECT UF_3, COUNT(*) FROM Activity WHERE UF_3 LIKE "
                           f"'informz:{KEY}%' GROUP BY UF_3")  # fmt: skip
    assert sorted(k for k, _ in per_key) == [f"informz:{KEY}{i:04d}" for i in range(BATCH)]
    assert {n for _, n in per_key} == {1}  # each exactly once
    counter_after = imis.execute("SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME = "
                                 "'Activity'")[0][0]  # fmt: skip
    assert counter_after - counter_before == BATCH  # no SEQN taken for the recognised row
    watch.close()
