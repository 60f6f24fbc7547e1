"""An advisor unsubscribes, opts out, resubscribes or marks a bad email; the writebacks reach
the AMS by the rules (seed 000_bcea68b5a640b123.txt; DOMAIN.md "writebacks"), against the
iMIS and Personify sandboxes."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from imis_fixtures import imis, imis_template  # noqa: F401
from mirror_helpers import rows
from personify_fixtures import personify, personify_template  # noqa: F401
from writeback_helpers import activities, add_subscriber, imis_bridge, members

from informz_console.cli import cmd_due, cmd_subscriber
from informz_console.cli.context import CliContext
from informz_console.domain.clock import FixedClock
from informz_console.store.engine import open_engine
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.outbox import bridge_id_of
from informz_console.sync.subscriber_actions import (
    Action,
    SubscriberActionError,
    change_status,
)
from informz_console.user_settings import UserSettings

EMAIL = "ann.lee@example.org"


class Ctx(CliContext):
    """The CLI's context on the test's mirror, clock and credentials."""

    def __init__(self, engine, clock, credentials, json_out: bool = False) -> None:  # type: ignore[no-untyped-def]
        super().__init__(None, json_out, clock=clock, credentials=credentials,
                         settings=UserSettings())  # fmt: skip
        self.__dict__["engine"] = engine

    def close(self) -> None:
        pass


def cli(ctx: CliContext, *argv: str) -> int:
    root = argparse.ArgumentParser()
    sub = root.add_subparsers(dest="command")
    cmd_due.register(sub)
    cmd_subscriber.register(sub)
    args = root.parse_args(argv)
    return args.run(ctx, args)


@pytest.fixture
def member(mirror, credentials, clock, imis):  # noqa: F811
    """A subscriber linked to an iMIS member whose UD opt-out box is clear."""
    bridge_id = imis_bridge(mirror, credentials, clock, imis)
    (ams_id,) = members(imis, 1, "EMAIL_OPT_OUT = 0")
    add_subscriber(mirror, clock.now() - timedelta(days=100), {bridge_id: ams_id}, EMAIL)
    return ams_id


def _status(mirror) -> tuple:  # type: ignore[no-untyped-def]
    return rows(mirror, "SELECT status, status_reason FROM subscriber WHERE email_key = :e",
                e=EMAIL)[0]  # fmt: skip


def test_an_opt_out_is_written_to_imis_at_once(mirror, credentials, clock, imis, member,  # noqa: F811
                                               capsys):  # fmt: skip
    """DOMAIN iOPTOUT: "written immediately; also sets the opt-out field in a user-defined (UD)
    table chosen by the customer"."""
    assert cli(Ctx(mirror, clock, credentials), "subscriber", "optout", EMAIL) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (f"{EMAIL} is now opted out (Opted out by an administrator). "
                                   f"Queued: iOPTOUT to iMIS.")  # fmt: skip
    assert "1 writebacks due: 1 sent." in out
    assert _status(mirror) == ("opted_out", "Opted out by an administrator")
    (row,) = activities(imis, member)
    assert row[:2] == (member, "iOPTOUT") and row[5].startswith("informz:iOPTOUT:")
    assert imis.execute("SELECT EMAIL_OPT_OUT FROM Informz_Preferences WHERE ID = ?",
                        (member,)) == [(1,)]  # fmt: skip
    assert cli(Ctx(mirror, clock, credentials), "subscriber", "optout", EMAIL) == 0
    assert capsys.readouterr().out.strip() == f"{EMAIL} is already opted out; nothing changed."


def test_an_unsubscribe_waits_for_the_01_00_batch_of_due_run(mirror, credentials, clock,
                                                             imis, member, capsys):  # noqa: F811  # fmt: skip
    """DOMAIN iUNSUB: "batched daily at 01:00 (Eastern)"; seed 000: the nightly sync "also sends
    writebacks to iMIS"."""
    assert cli(Ctx(mirror, clock, credentials), "subscriber", "unsubscribe", EMAIL,
               "--reason", "Asked by phone") == 0  # fmt: skip
    assert "Queued: iUNSUB to iMIS." in capsys.readouterr().out
    assert activities(imis, member) == []  # not yet: 14:00 UTC is 09:00 Eastern
    assert cli(Ctx(mirror, clock, credentials), "due") == 0
    assert capsys.readouterr().out.splitlines() == [
        "Nothing is due now.",
        "iMIS: 1 iUNSUB writebacks are due later (the 01:00 Eastern iUNSUB batch, or a retry "
        "after an error).",
    ]
    night = FixedClock(datetime(2026, 11, 3, 6, 0, tzinfo=UTC))  # 01:00 EST
    assert cli(Ctx(mirror, night, credentials, json_out=True), "due") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(d["kind"], d["type"], d["count"]) for d in listed] == [("writebacks", "iUNSUB", 1)]
    assert cli(Ctx(mirror, night, credentials), "due", "--run") == 0
    assert "1 writebacks due: 1 sent." in capsys.readouterr().out
    (row,) = activities(imis, member)
    assert row[:3] == (member, "iUNSUB", "iUNSUB")
    assert cli(Ctx(mirror, night, credentials), "due", "--run") == 0  # a rescan: not twice
    assert "No writebacks were due." in capsys.readouterr().out
    assert len(activities(imis, member)) == 1


def test_a_resubscribe_before_the_batch_withdraws_the_iunsub(mirror, credentials, clock,
                                                             imis, member):  # noqa: F811  # fmt: skip
    change_status(mirror, clock, EMAIL, Action.UNSUBSCRIBE)
    clock.advance(hours=1)
    result = change_status(mirror, clock, EMAIL, Action.RESUBSCRIBE, "changed her mind")
    assert (result.withdrawn, result.queued) == (1, [])  # iMIS never heard of it: no iRESUB
    assert _status(mirror) == ("active", "Resubscribed: changed her mind")
    assert rows(mirror, "SELECT COUNT(*) FROM writeback") == [(0,)]


def test_a_resubscribe_after_an_opt_out_writes_iresub(mirror, credentials, clock, imis,  # noqa: F811
                                                      member, capsys):  # fmt: skip
    assert cli(Ctx(mirror, clock, credentials), "subscriber", "optout", EMAIL) == 0
    clock.advance(days=2)
    assert cli(Ctx(mirror, clock, credentials), "subscriber", "resubscribe", EMAIL) == 0
    assert "Queued: iRESUB to iMIS." in capsys.readouterr().out
    assert [r[1] for r in activities(imis, member)] == ["iOPTOUT", "iRESUB"]


def test_bad_email_is_written_back_once_ever(mirror, credentials, clock, imis, member):  # noqa: F811
    """DOMAIN iBADEMAIL: "once ever per subscriber"."""
    first = change_status(mirror, clock, EMAIL, Action.BAD_EMAIL)
    assert [q.type for q in first.queued] == ["iBADEMAIL"]
    clock.advance(days=1)
    change_status(mirror, clock, EMAIL, Action.RESUBSCRIBE)
    clock.advance(days=1)
    again = change_status(mirror, clock, EMAIL, Action.BAD_EMAIL)
    assert again.changed and again.queued == []
    assert rows(mirror, "SELECT type FROM writeback") == [("iBADEMAIL",)]


def test_what_cannot_be_done_is_one_sentence(mirror, credentials, clock, imis, member):  # noqa: F811
    with pytest.raises(SubscriberActionError, match=r"^No subscriber has the email address "
                       r"'nobody@example.org'; check the spelling"):  # fmt: skip
        change_status(mirror, clock, "nobody@example.org", Action.UNSUBSCRIBE)
    with mirror.begin() as conn:
        conn.exec_driver_sql("UPDATE subscriber SET status = 'remote_unsubscribed'")
    with pytest.raises(SubscriberActionError, match="unsubscribed in the AMS itself"):
        change_status(mirror, clock, EMAIL, Action.RESUBSCRIBE)
    assert rows(mirror, "SELECT COUNT(*) FROM writeback") == [(0,)]


def test_a_personify_unsubscribe_sets_do_not_solicit_by_email(mirror, credentials, clock,
                                                              personify):  # noqa: F811  # fmt: skip
    """DOMAIN Personify360: "an unsubscribe from the platform sets Do Not Solicit by Email =
    true"."""
    spec = BridgeSpec("personify", "P360", personify.bridge_settings(timeout_s=3.0))
    credentials.set(save_bridge(mirror, spec, clock), personify.password)
    master, sub = personify.execute(
        "SELECT MasterCustomerId, SubCustomerId FROM Customer WHERE AllowEmail = 1 AND "
        "DoNotSolicitByEmail = 0 LIMIT 1")[0]  # fmt: skip
    add_subscriber(mirror, clock.now(), {bridge_id_of(mirror, "P360"): f"{master}-{sub}"}, EMAIL)
    assert cli(Ctx(mirror, clock, credentials), "subscriber", "unsubscribe", EMAIL) == 0
    flag = personify.execute("SELECT DoNotSolicitByEmail FROM Customer WHERE "
                             "MasterCustomerId = ? AND SubCustomerId = ?", (master, sub))
    assert flag == [(1,)]


def test_the_command_line_end_to_end(tmp_path, imis):  # noqa: F811
    """`informz-console subscriber optout EMAIL` as a person runs it: its own process, the
    password on standard input (no keyring on this box)."""
    path = tmp_path / "mirror.sqlite"
    engine = open_engine(path)
    clock = FixedClock(datetime.now(UTC))
    settings = imis.bridge_settings(ud_opt_out_field="EMAIL_OPT_OUT")
    save_bridge(engine, BridgeSpec("imis", "iMIS", settings), clock)
    (ams_id,) = members(imis, 1, "EMAIL_OPT_OUT = 0")
    add_subscriber(engine, clock.now(), {bridge_id_of(engine, "iMIS"): ams_id}, EMAIL)
    engine.dispose()
    env = {**os.environ, "INFORMZ_CONSOLE_CONFIG": str(tmp_path / "config"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "informz_console", "--mirror", str(path), "subscriber",
         "optout", EMAIL, "--reason", "Asked at the conference"], input=imis.password + "\n",
        capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 writebacks due: 1 sent." in done.stdout
    assert [r[1] for r in activities(imis, ams_id)] == ["iOPTOUT"]
    bad = subprocess.run(
        [sys.executable, "-m", "informz_console", "--mirror", str(path), "subscriber",
         "bad-email", "nobody@example.org"], capture_output=True, text=True, env=env,
        timeout=120)  # fmt: skip
    assert bad.returncode == 1 and bad.stderr.startswith("No subscriber has the email address")
    assert len(bad.stderr.strip().splitlines()) == 1
