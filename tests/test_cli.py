"""The headless CLI end to end, as a script or a person runs it: real processes, the real
iMIS sandbox (ODBC + REST on 127.0.0.1), a fresh mirror file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from imis_fixtures import imis, imis_template  # noqa: F401

GROUP = "All Active Members"


@pytest.fixture
def cli(tmp_path):
    """Run `informz-console --mirror <tmp> ...`; returns (exit code, stdout, stderr)."""
    env = {**os.environ, "INFORMZ_CONSOLE_CONFIG": str(tmp_path / "config"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    mirror = tmp_path / "mirror.sqlite"

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        done = subprocess.run([sys.executable, "-m", "informz_console", "--mirror", str(mirror),
                               *args], input=stdin, capture_output=True, text=True, env=env,
                              timeout=300)
        return done.returncode, done.stdout, done.stderr

    run.mirror = mirror  # type: ignore[attr-defined]
    return run


def test_demo_then_everything_answers_offline(cli):
    code, out, err = cli("--json", "demo", "--members", "1500")
    assert code == 0, err
    demo = json.loads(out)
    assert demo["ok"] and {g["name"] for g in demo["groups"]} >= {GROUP, "Everyone"}
    # The sandbox is stopped now: these read the mirror alone.
    code, out, _ = cli("--json", "counts", "--group", GROUP)
    (counts,) = json.loads(out)
    assert counts["members"] > 0 and counts["fetched"] == counts["members"] + sum(
        counts["excluded"].values())
    code, out, _ = cli("--json", "runs")
    runs = json.loads(out)
    assert {r["status"] for r in runs} == {"succeeded"}
    member = _some_member(cli.mirror, GROUP)
    code, out, _ = cli("explain", member, "--group", GROUP)
    assert code == 0 and f"{member} is a member of '{GROUP}'" in out
    ams_id, email = _some_invalid_record(cli.mirror, GROUP)  # an advisor may have the AMS id
    code, out, _ = cli("explain", ams_id, "--group", GROUP)
    assert code == 0 and out.startswith(f"AMS id {ams_id} is not a member of '{GROUP}'")
    assert "excluded it: Invalid email address (" in out and repr(email) in out
    code, out, _ = cli("sync", "Demo iMIS", "--group", GROUP)
    assert code == 1  # the AMS is gone: one clear sentence, nothing lost
    assert "Traceback" not in _ and len(_.strip().splitlines()) == 1


def _some_member(mirror: Path, group: str) -> str:
    import sqlite3

    return sqlite3.connect(mirror).execute(
        "SELECT s.email FROM membership m JOIN subscriber s ON s.id = m.subscriber_id "
        "JOIN target_group g ON g.id = m.group_id WHERE g.name = ? LIMIT 1", (group,)
    ).fetchone()[0]


def _some_invalid_record(mirror: Path, group: str) -> tuple[str, str]:
    """An AMS record the group's latest resync excluded for its email."""
    import sqlite3

    return sqlite3.connect(mirror).execute(
        "SELECT e.ams_id, e.email FROM exclusion e JOIN target_group g ON g.id = e.group_id "
        "WHERE g.name = ? AND e.reason = 'invalid_email' ORDER BY e.run_id DESC LIMIT 1",
        (group,)).fetchone()


def test_bridge_sync_counts_explain_against_a_live_sandbox(cli, imis):  # noqa: F811
    code, out, err = cli("bridge", "add", "Main", "--kind", "imis", "--odbc",
                         imis.odbc_connection_string, "--site", imis.site_url, "--user",
                         imis.username, stdin=imis.password + "\n")
    assert code == 0, err
    assert "kept in memory for this session" in err  # no secure keyring here: said so
    # A new process has no session password: a script gives it on standard input, never on
    # the command line; without it, one sentence says what to do.
    code, out, err = cli("bridge", "test", "Main", stdin="")
    assert code == 1 and "No password is stored for bridge 'Main'" in err
    code, out, err = cli("bridge", "test", "Main", stdin=imis.password + "\n")
    assert code == 0 and out.startswith("Connected to iMIS"), err
    pw = imis.password + "\n"
    assert cli("groups", "refresh", "Main", stdin=pw)[0] == 0
    code, out, err = cli("sync", "Main", "--group", GROUP, stdin=pw)
    assert code == 0 and "added" in out, err
    code, out, err = cli("sync", "Main", stdin=pw)  # iMIS default: partial from Informz_Changes
    assert code == 0, err
    code, out, err = cli("sync", "Main", "--full", stdin=pw)
    assert code == 1 and "staff" in err
    code, out, _ = cli("--json", "counts", "--group", GROUP)
    assert json.loads(out)[0]["members"] > 0
    assert imis.password.encode() not in cli.mirror.read_bytes()


def test_unknown_bridge_is_one_sentence_and_exit_1(cli):
    from informz_console.store.engine import open_engine

    open_engine(cli.mirror).dispose()  # a mirror without that bridge
    code, out, err = cli("sync", "Nope")
    assert code == 1
    assert err.strip() == ("There is no bridge named 'Nope'; `informz-console bridge list` "
                           "shows the bridges in this mirror.")


def test_upload_and_dry_run(cli, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("Email,First Name\nann@example.org,Ann\nnot-an-email,Bob\n", encoding="utf-8")
    code, out, _ = cli("upload", str(csv), "--dry-run")
    assert code == 0 and out.startswith("Would add 1 subscribers")
    code, out, _ = cli("upload", str(csv))
    assert out.startswith("Added 1 subscribers") and "line 3: 'not-an-email'" in out


def test_full_refresh_needs_the_staff_role(cli):
    code, out, _ = cli("--json", "settings")
    assert json.loads(out)["role"] == "client"
    code, out, _ = cli("settings", "--role", "staff")
    assert "role: staff" in out


def test_idss_follow_once_applies_the_feed(cli, tmp_path):
    """Seed 002: changes saved in iDSS reach the console (`idss follow`, here one poll)."""
    from informz_console.sandbox.idss import BOARD_LIST, IdssSandbox

    with IdssSandbox.create(tmp_path / "idss", members=300) as idss:
        key = idss.api_key + "\n"
        code, _, err = cli("bridge", "add", "Feed", "--kind", "idss", "--site", idss.site_url,
                           stdin=key)
        assert code == 0, err
        assert cli("groups", "refresh", "Feed", stdin=key)[0] == 0
        assert cli("sync", "Feed", "--group", str(BOARD_LIST), stdin=key)[0] == 0
        assert cli("idss", "follow", "Feed", "--once", stdin=key)[0] == 0  # catch up
        idss.add_contact("brand.new@example.org", lists=(BOARD_LIST,))
        code, out, err = cli("idss", "follow", "Feed", "--once", stdin=key)
        assert code == 0, err
        assert out.startswith("1 changes applied: 1 memberships added, 0 removed")
        code, out, _ = cli("explain", "brand.new@example.org", "--group", str(BOARD_LIST),
                           "--bridge", "Feed")
        assert "is a member of" in out


def test_retention_is_a_mirror_setting(cli):
    code, out, _ = cli("settings", "--retention-days", "30")
    assert code == 0 and "sync runs kept: 30 days" in out
    code, _, err = cli("settings", "--retention-days", "0")
    assert code == 1 and err.strip() == ("Sync runs are kept between 1 and 3,650 days; choose a "
                                         "whole number of days in that range (not 0).")


def test_wrong_settings_or_a_missing_driver_are_one_sentence(cli, tmp_path):
    code, out, err = cli("bridge", "add", "X", "--kind", "personify", "--site", "ftp://nope",
                         "--user", "u", stdin="pw\n")
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("The Personify site URL must be a web address")
    code, out, _ = cli("bridge", "list")
    assert "No bridges yet" in out  # nothing was saved
    done = subprocess.run(
        [sys.executable, "-m", "informz_console", "--mirror",
         "mssql+pymssql://sa:hunter2@127.0.0.1:9/mirror", "runs"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "INFORMZ_CONSOLE_CONFIG": str(tmp_path / "config")})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "needs the database driver 'pymssql', which is not installed" in done.stderr
    assert "hunter2" not in done.stderr


@pytest.mark.parametrize(("version", "steps"), [("0003", "5 steps"), ("0006", "2 steps")])
def test_an_older_mirror_is_upgraded_saying_so_and_keeps_its_rows(cli, version, steps):
    from old_mirror import old_mirror, version_and_rows

    old_mirror(cli.mirror, version)
    code, out, err = cli("--json", "runs")
    assert code == 0 and json.loads(out) == []
    assert err.strip() == (f"Upgrading the mirror {cli.mirror} for this version of the console "
                           f"({steps}); a large mirror takes a minute.")
    assert version_and_rows(cli.mirror) == ("0008", [("Ann@Example.org", "100001", 1)])
    code, _, err = cli("--json", "runs")  # upgraded once: nothing more to say
    assert code == 0 and err == ""


def test_a_read_on_a_mirror_that_is_not_there_says_so(cli, tmp_path):
    """A mistyped --mirror must not answer from a new, empty mirror ("The sync log is empty."),
    nor become the mirror every later command opens."""
    missing = tmp_path / "typo" / "mirror.sqlite"
    for command in (["runs"], ["counts"], ["explain", "a@example.org", "--group", "G"],
                    ["groups", "list"], ["bridge", "list"]):
        code, out, err = cli("--mirror", str(missing), *command)
        assert code == 1 and out == ""
        assert err.strip() == (f"There is no mirror at {missing}; check the path (--mirror, "
                               f"$INFORMZ_MIRROR), or make one with `informz-console demo` or "
                               f"`informz-console bridge add`.")
    assert not missing.parent.exists()
    code, out, err = cli("runs")  # the fixture's own mirror, not the missing one
    assert code == 1 and str(cli.mirror) in err
    code, out, err = cli("bridge", "add", "Main", "--kind", "imis", "--odbc", "Driver=SQLite3;",
                         "--site", "http://127.0.0.1:9", "--user", "u", stdin="pw\n")
    assert code == 0, err  # adding a bridge makes the mirror
    code, out, err = cli("runs")
    assert code == 0 and out.strip() == "The sync log is empty."
