"""Secrets never leave the keyring (issue 6, "Secrets").

Bridges of all four AMS are given distinctive passwords (the sandboxes take exactly those), then
synced successfully, signed in with a wrong password, and run against a broken server. Nowhere
is either the right or the wrong secret found: not in the mirror file's bytes (with its -wal and
-shm), not in the sync log, not in any error sentence or the text of any exception (its chain
and traceback included), not in anything logged at DEBUG level by the console or its libraries
(httpx, zeep), and not in what the command line prints, the secret handed over on standard input.

Where no secure keyring exists (here: keyrings.alt's plaintext file, chosen on purpose), the
console says so and keeps the secret for the session only: no file under its config or data
directories holds it, and the next command asks again.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from fault_helpers import KINDS, LABELS, AmsBridge
from mirror_helpers import rows

from informz_console.connectors import http_send
from informz_console.connectors.errors import ConnectorError
from informz_console.sandbox.imis import ImisSandbox
from informz_console.store.engine import open_engine
from informz_console.sync.bridges import test_bridge as check_bridge

SECRETS = {kind: f"Zq7-{kind}-S3cret-pw-41c9e" for kind in KINDS}
WRONG = {kind: f"Wr0ng-{kind}-Guess-pw-7d2b" for kind in KINDS}
NOTICE = "No secure keyring is available on this machine"


def leaks(text: str | bytes, secrets: list[str]) -> list[str]:
    """The secrets found in `text`, in clear, as UTF-16, or as HTTP Basic credentials."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    found = []
    for secret in secrets:
        forms = [secret.encode(), secret.encode("utf-16-le"),
                 *(base64.b64encode(f"{user}:{secret}".encode()) for user in USERS)]
        if any(form in data for form in forms):
            found.append(secret)
    return found


USERS = ("informz_sync", "informz_pds", "informz_xweb", "")


def exception_text(exc: BaseException) -> str:
    """Everything an exception can show: its text, repr, chain and traceback."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(http_send, "RETRY", http_send.RetryPolicy(3, 0.01, 0.05))


def test_no_secret_in_the_mirror_logs_errors_or_exceptions(tmp_path, clock, caplog,
                                                           credentials):
    caplog.set_level(logging.DEBUG)  # every logger, libraries included
    path = tmp_path / "mirror.sqlite"  # a file of its own, to read its bytes
    engine = open_engine(path)
    shown: list[str] = []  # every error sentence and exception text
    secrets = [*SECRETS.values(), *WRONG.values()]
    for kind in KINDS:
        bridge = AmsBridge.start(kind, tmp_path / kind, engine, credentials, clock,
                                 secret=SECRETS[kind])
        try:
            assert bridge.refresh().ok
            assert bridge.resync().ok  # the secret was used, and worked

            credentials.set(bridge.secret_name, WRONG[kind])
            refreshed, failed = bridge.refresh(), bridge.resync()  # iMIS lists over ODBC
            assert failed.status == "failed"
            shown += [r.error or "" for r in (refreshed, failed) if not r.ok]
            with pytest.raises(ConnectorError) as caught:
                check_bridge(engine, LABELS[kind], credentials)
            shown.append(exception_text(caught.value))

            credentials.set(bridge.secret_name, SECRETS[kind])
            for mode in ("refuse", "garbage", "drop"):
                bridge.sandbox.set_fault(mode)
                failed = bridge.resync()
                assert failed.status == "failed"
                shown.append(failed.error or "")
                with pytest.raises(ConnectorError) as caught:
                    check_bridge(engine, LABELS[kind], credentials)
                shown.append(exception_text(caught.value))
            bridge.sandbox.set_fault(None)
        finally:
            bridge.stop()

    files = [Path(str(path) + suffix) for suffix in ("", "-wal", "-shm")]
    assert files[1].exists()  # the WAL is looked at while it holds the latest writes
    for file in files:
        assert leaks(file.read_bytes(), secrets) == [], file.name
    log = rows(engine, "SELECT message FROM run_log") + rows(engine, "SELECT error FROM sync_run")
    assert len(log) > 20 and leaks(repr(log), secrets) == []
    assert all(sentence for sentence in shown) and leaks("\n".join(shown), secrets) == []
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert caplog.records and leaks(logged, secrets) == []
    engine.dispose()
    assert leaks(path.read_bytes(), secrets) == []  # checkpointed into the file: still nothing


# -- the command line, on a machine without a secure keyring ----------------------------------


def cli(home: Path, mirror: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
           "INFORMZ_CONSOLE_CONFIG": str(home / "config" / "informz_console"),
           # the plaintext file backend, named on purpose: it must never be written
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    env.pop("INFORMZ_MIRROR", None)
    return subprocess.run(
        [sys.executable, "-m", "informz_console", "--mirror", str(mirror), "--json", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=300, check=False)


class SecretImis(ImisSandbox):
    PASSWORD = SECRETS["imis"]


def test_the_command_line_never_shows_or_files_a_secret(tmp_path):
    home, mirror = tmp_path / "home", tmp_path / "mirror" / "mirror.sqlite"
    secret, wrong = SECRETS["imis"], WRONG["imis"]
    with SecretImis.create(tmp_path / "imis", members=300, seed=5) as sandbox:
        group = "$/Informz/Everyone"
        added = cli(home, mirror, "bridge", "add", "iMIS", "--kind", "imis", "--site",
                    sandbox.site_url, "--odbc", sandbox.odbc_connection_string, "--user",
                    sandbox.username, stdin=secret + "\n")
        refreshed = cli(home, mirror, "groups", "refresh", "iMIS", stdin=secret + "\n")
        synced = cli(home, mirror, "sync", "iMIS", "--group", group, stdin=secret + "\n")
        refused = cli(home, mirror, "sync", "iMIS", "--group", group, stdin=wrong + "\n")
        tested = cli(home, mirror, "bridge", "test", "iMIS", stdin=wrong + "\n")
        sandbox.set_fault("garbage")
        broken = cli(home, mirror, "sync", "iMIS", "--group", group, stdin=secret + "\n")
        sandbox.set_fault(None)
        forgotten = cli(home, mirror, "sync", "iMIS", "--group", group)  # a new session

    runs = [added, refreshed, synced, refused, tested, broken, forgotten]
    for run in runs:
        assert leaks(run.stdout + run.stderr, [secret, wrong]) == [], run.args
        assert "Traceback" not in run.stderr, run.stderr
    assert added.returncode == 0 and NOTICE in added.stderr
    assert [r.returncode for r in (refreshed, synced)] == [0, 0], synced.stderr
    for run in (refused, tested, broken, forgotten):
        assert run.returncode == 1
    assert "refused the user name or password" in json.loads(refused.stdout)["error"]
    assert "No password is stored for bridge 'iMIS'" in json.loads(forgotten.stdout)["error"]

    written = [f for f in tmp_path.rglob("*") if f.is_file() and "imis" not in f.parts]
    assert any(f.name == "mirror.sqlite" for f in written)
    for file in written:
        assert leaks(file.read_bytes(), [secret, wrong]) == [], file
