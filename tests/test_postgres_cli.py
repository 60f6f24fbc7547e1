"""The headless CLI on a shared PostgreSQL mirror (`--mirror postgresql://...`), end to end:
the four sandbox AMS on 127.0.0.1 synced by a real process, then every other command, on a
database of its own on a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from informz_console.cli.main import main
from informz_console.sandbox.idss import IdssSandbox
from informz_console.sandbox.imis import ImisSandbox
from informz_console.sandbox.netforum import NetforumSandbox
from informz_console.sandbox.personify import PersonifySandbox

pytestmark = pytest.mark.postgres_only

GROUP = "All Active Members"
SECRETS = (ImisSandbox.PASSWORD, PersonifySandbox.PASSWORD, NetforumSandbox.PASSWORD,
           IdssSandbox.API_KEY)


@pytest.fixture
def mirror_arg(mirror) -> str:
    """The mirror as a person types it: a plain postgresql:// URL."""
    return make_url(mirror.url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def cli(mirror_arg, tmp_path, monkeypatch, capsys):
    """`informz-console --mirror postgresql://... ARGS` in this process (a new process costs a
    second; the demo below runs in one); returns (exit code, out, err)."""
    monkeypatch.setenv("INFORMZ_CONSOLE_CONFIG", str(tmp_path / "config"))

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--mirror", mirror_arg, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_every_command_works_on_a_postgresql_mirror(cli, mirror, mirror_arg, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "informz_console", "--mirror", mirror_arg, "--json", "demo",
         "--members", "300"], capture_output=True, text=True, timeout=600,
        env={**os.environ, "INFORMZ_CONSOLE_CONFIG": str(tmp_path / "config"),
             "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert done.returncode == 0, done.stderr
    demo = json.loads(done.stdout)
    assert demo["ok"] and {g["name"] for g in demo["groups"]} >= {GROUP, "Everyone"}
    code, out, err = cli("--json", "counts", "--group", GROUP)
    assert code == 0, err
    (counts,) = json.loads(out)
    assert counts["members"] > 0
    assert counts["fetched"] == counts["members"] + sum(counts["excluded"].values())
    code, out, _ = cli("--json", "runs")
    assert {r["status"] for r in json.loads(out)} == {"succeeded"}
    member = _some_member(mirror, GROUP)
    code, out, _ = cli("explain", member, "--group", GROUP)
    assert code == 0 and f"{member} is a member of '{GROUP}'" in out
    for command in (("bridge", "list"), ("groups", "list"), ("due",), ("writebacks",),
                    ("runs", "1")):
        code, out, err = cli(*command)
        assert code == 0 and out and not err, (command, err)
    csv = tmp_path / "people.csv"
    csv.write_text(f"Email,First Name\nnew.person@example.org,Ann\n{member},\nnot-an-email,B\n",
                   encoding="utf-8")
    code, out, _ = cli("upload", str(csv), "--dry-run")
    assert code == 0 and out.startswith("Would add 1 subscribers")
    code, out, _ = cli("upload", str(csv))
    assert out.startswith("Added 1 subscribers") and "line 4: 'not-an-email'" in out
    code, out, _ = cli("settings", "--retention-days", "30")
    assert code == 0 and "sync runs kept: 30 days" in out
    code, out, err = cli("sync", "Demo iMIS", "--group", GROUP)
    assert code == 1 and len(err.strip().splitlines()) == 1  # the AMS is gone: one sentence
    assert not any(secret in _every_value(mirror) for secret in SECRETS)


def _some_member(mirror, group: str) -> str:  # type: ignore[no-untyped-def]
    with mirror.connect() as conn:
        return conn.execute(text(
            "SELECT s.email FROM membership m JOIN subscriber s ON s.id = m.subscriber_id "
            "JOIN target_group g ON g.id = m.group_id WHERE g.name = :g ORDER BY s.email "
            "LIMIT 1"), {"g": group}).scalar_one()


def _every_value(mirror) -> str:  # type: ignore[no-untyped-def]
    """Every row of every table as text: what a dump of the database would hold."""
    with mirror.connect() as conn:
        return "\n".join(
            str(row)
            for table in inspect(conn).get_table_names()
            for row in conn.execute(text(f"SELECT CAST(t AS TEXT) FROM {table} t")).scalars())
