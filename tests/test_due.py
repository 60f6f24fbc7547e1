"""What is due now, running it, and publishing a mailing (sync.due, sync.mailings, the CLI)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

import pytest
from mirror_helpers import add_bridge, rows
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from static_connector import StaticAms, StaticConnector

from informz_console.cli import cmd_due, cmd_mailing
from informz_console.cli.context import CliContext
from informz_console.domain.records import RemoteRecord as R
from informz_console.store.models import Bridge, CompoundMember, Mailing, MailingGroup, TargetGroup
from informz_console.sync.due import due_now, run_due
from informz_console.sync.mailings import publish_mailing
from informz_console.sync.requests import SyncKind, Trigger
from informz_console.sync.run_plan import SyncError
from informz_console.sync.service import SyncService
from informz_console.user_settings import UserSettings

NIGHT = datetime(2026, 11, 3, 7, 0, tzinfo=UTC)  # Tuesday 02:00 EST
DAY = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)  # Tuesday 12:00 EST
SUNDAY = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)  # 08:00 EDT
A, B, C = "$/Test/A", "$/Test/B", "$/Test/C"


@pytest.fixture
def ams() -> StaticAms:
    return StaticAms(
        groups={
            A: [R("1", "ann@example.org", "A"), R("2", "bob@example.org", "A")],
            B: [R("2", "bob@example.org", "A"), R("3", "cy@example.org", "A")],
            C: [R("4", "di@example.org", "A")],
        }
    )


@pytest.fixture
def service(mirror, credentials, clock, ams) -> SyncService:
    for name, kind in (
        ("iMIS", "imis"),
        ("P360", "personify"),
        ("NF", "netforum"),
        ("iDSS", "idss"),
    ):
        add_bridge(mirror, clock, name=name, kind=kind, groups=(A, B, C))
        credentials.set(f"bridge:{kind}:{name}", "pw")
    with Session(mirror) as session:
        session.execute(update(TargetGroup).values(created_at=clock.now() - timedelta(days=400)))
        session.commit()
    return SyncService(
        mirror, credentials, clock, connector_for=lambda bridge, creds: StaticConnector(ams)
    )


def lists_refreshed_at(engine, when: datetime) -> None:  # type: ignore[no-untyped-def]
    """Every bridge's target group list refreshed at `when`: no login refresh due then."""
    with Session(engine) as session:
        session.execute(update(Bridge).values(last_list_refresh_at=when))
        session.commit()


def group_id(engine, bridge: str, key: str) -> int:  # type: ignore[no-untyped-def]
    return rows(
        engine,
        "SELECT g.id FROM target_group g JOIN bridge b ON b.id = g.bridge_id "
        "WHERE b.name = :b AND g.remote_key = :k",
        b=bridge,
        k=key,
    )[0][0]


def set_group(engine, bridge: str, key: str, **values) -> None:  # type: ignore[no-untyped-def]
    gid = group_id(engine, bridge, key)
    with Session(engine) as session:
        session.execute(update(TargetGroup).where(TargetGroup.id == gid).values(**values))
        session.commit()


def add_compound(engine, bridge: str, key: str, members: list[str]) -> int:  # type: ignore[no-untyped-def]
    bridge_id = rows(engine, "SELECT id FROM bridge WHERE name = :b", b=bridge)[0][0]
    member_ids = [group_id(engine, bridge, member) for member in members]
    with Session(engine) as session:
        compound = TargetGroup(bridge_id=bridge_id, remote_key=key, name=key, kind="compound")
        session.add(compound)
        session.flush()
        for member_id in member_ids:
            session.add(CompoundMember(compound_id=compound.id, member_id=member_id))
        session.commit()
        return compound.id


def scheduled(engine, clock) -> list:  # type: ignore[no-untyped-def, type-arg]
    """What is due, login list refreshes aside (the clock moves on in these tests)."""
    return [
        d for d in due_now(engine, clock, user_is_staff=False) if d.trigger is not Trigger.LOGIN
    ]


def summary(due) -> set[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    return {(d.trigger.value, d.bridge, d.group) for d in due}


def test_login_refresh_due_for_personify_and_netforum(service, mirror, clock):
    """Seed 001: a login sync "occurs when ten minutes have elapsed since the last sync of
    Personify360's MKT Lists"; seed 003: netFORUM after "thirty or more minutes ... if and
    only if the integration is active and the user is not an Informz staff person"."""
    clock.current = DAY
    lists_refreshed_at(mirror, DAY - timedelta(minutes=10))
    assert summary(due_now(mirror, clock, user_is_staff=False)) == {("login", "P360", None)}
    clock.advance(minutes=20)
    due = due_now(mirror, clock, user_is_staff=False)
    assert summary(due) == {("login", "P360", None), ("login", "NF", None)}
    assert all(d.kind is SyncKind.REFRESH_LIST for d in due)
    assert summary(due_now(mirror, clock, user_is_staff=True)) == {("login", "P360", None)}
    results = run_due(service, due)
    assert all(r.ok for r in results), [r.error for r in results]
    assert rows(mirror, "SELECT DISTINCT trigger, kind FROM sync_run") == [
        ("login", "refresh_list")
    ]
    assert due_now(mirror, clock, user_is_staff=False) == []  # just refreshed


def test_nightly_picks_groups_by_each_ams_rule_with_the_reason(service, mirror, clock):
    """Seed 000: "groups that have been created in the last seven days, or that were used in
    an emailing in the last 90 days"; seed 001: "modified within the past seven days or used
    in a mailing within the past 90 days"; iDSS is real time (no nightly)."""
    clock.current = NIGHT
    lists_refreshed_at(mirror, clock.current)
    set_group(mirror, "iMIS", A, last_used_in_mailing_at=NIGHT - timedelta(days=12, hours=1))
    set_group(mirror, "iMIS", B, created_at=NIGHT - timedelta(days=2))
    set_group(mirror, "iMIS", C, modified_at=NIGHT)  # not an iMIS rule
    set_group(mirror, "P360", A, modified_at=NIGHT - timedelta(days=7))
    set_group(mirror, "P360", B, created_at=NIGHT)  # not a Personify rule
    for key in (A, B, C):
        set_group(mirror, "iDSS", key, created_at=NIGHT, last_used_in_mailing_at=NIGHT)
    due = scheduled(mirror, clock)
    assert {(d.trigger.value, d.bridge, d.group, d.reason) for d in due} == {
        ("nightly", "iMIS", "A", "used in a mailing 12 days ago"),
        ("nightly", "iMIS", "B", "created 2 days ago"),
        ("nightly", "P360", "A", "modified 7 days ago"),
    }
    clock.current = DAY
    lists_refreshed_at(mirror, DAY)
    assert scheduled(mirror, clock) == []  # daytime: not the night


def test_netforum_nightly_takes_members_of_a_used_compound(service, mirror, clock):
    """Seed 003: "The list was part of a compound group used in the past 90 days." """
    clock.current = NIGHT
    lists_refreshed_at(mirror, clock.current)
    compound = add_compound(mirror, "NF", "Both", [A, B])
    set_group(mirror, "NF", "Both", last_used_in_mailing_at=NIGHT - timedelta(days=90))
    assert compound
    due = scheduled(mirror, clock)
    assert summary(due) == {("nightly", "NF", "A"), ("nightly", "NF", "B")}
    assert {d.reason for d in due} == {"part of a compound group used in a mailing 90 days ago"}
    clock.advance(seconds=1)  # 90 days + 1 s
    assert scheduled(mirror, clock) == []


def test_nightly_runs_with_its_trigger_and_not_twice_the_same_night(service, mirror, clock):
    """Seed 000: "Nightly Sync – This is an automated process that runs every night." Once
    a night: the sync log's last nightly run of each group decides."""
    clock.current = NIGHT
    lists_refreshed_at(mirror, clock.current)
    set_group(mirror, "iMIS", A, last_used_in_mailing_at=NIGHT - timedelta(days=1))
    due = scheduled(mirror, clock)
    results = run_due(service, due)
    assert [r.ok for r in results] == [True]
    assert rows(mirror, "SELECT trigger, kind, group_id, status FROM sync_run") == [
        ("nightly", "resync_group", group_id(mirror, "iMIS", A), "succeeded")
    ]
    clock.advance(hours=3)  # 05:00 EST, the same night
    assert scheduled(mirror, clock) == []
    clock.current = NIGHT + timedelta(hours=16)  # 18:00 EST: the next night
    assert summary(scheduled(mirror, clock)) == {("nightly", "iMIS", "A")}


def test_weekend_full_sync_of_every_imis_group_once_per_sunday(service, mirror, clock):
    """Seed 000: "Weekend Sync – ... each Sunday morning. This does a full sync on all iMIS
    target groups." """
    clock.current = SUNDAY
    lists_refreshed_at(mirror, clock.current)
    add_compound(mirror, "iMIS", "Both", [A, B])  # compound groups: their members are synced
    set_group(mirror, "P360", A, modified_at=SUNDAY)  # 08:00 is not the night: no nightly
    due = scheduled(mirror, clock)
    assert summary(due) == {
        ("weekend", "iMIS", "A"),
        ("weekend", "iMIS", "B"),
        ("weekend", "iMIS", "C"),
    }
    results = run_due(service, due)
    assert all(r.ok for r in results)
    assert rows(mirror, "SELECT DISTINCT trigger FROM sync_run") == [("weekend",)]
    clock.advance(hours=3)  # 11:00 EDT, the same Sunday morning
    assert scheduled(mirror, clock) == []


def test_weekend_run_in_the_night_counts_as_that_nights_nightly(service, mirror, clock):
    """Seed 000: the weekend sync is "a full sync on all iMIS target groups": the nightly of
    the same night has nothing left to do for them."""
    clock.current = datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # Sunday 02:00 EDT
    lists_refreshed_at(mirror, clock.current)
    set_group(mirror, "iMIS", A, last_used_in_mailing_at=clock.current - timedelta(days=1))
    due = scheduled(mirror, clock)
    assert {d.trigger for d in due} == {Trigger.WEEKEND}
    run_due(service, due)
    assert scheduled(mirror, clock) == []


def test_publish_mailing_expands_compounds_and_resyncs_each_group_once(service, mirror, clock):
    """Seed 000: "Each time a mailing is published Informz syncs with iMIS"; seed 003: "You
    publish a mailing via Informz that includes the target group." A compound group reaches
    its members, each resynced once."""
    compound = add_compound(mirror, "iMIS", "Both", [A, B])
    lists_refreshed_at(mirror, clock.current)
    result = publish_mailing(service, "November news", ["Both", A], clock, bridge="iMIS")
    assert result.ok, [r.result.error for r in result.resyncs]
    assert [(r.group, r.bridge) for r in result.resyncs] == [("A", "iMIS"), ("B", "iMIS")]
    a, b = group_id(mirror, "iMIS", A), group_id(mirror, "iMIS", B)
    assert sorted(rows(mirror, "SELECT trigger, group_id FROM sync_run")) == sorted(
        [("mailing", a), ("mailing", b)]
    )
    with Session(mirror) as session:
        mailing = session.scalars(select(Mailing)).one()
        assert (mailing.name, mailing.published_at) == ("November news", clock.now())
        assert sorted(session.scalars(select(MailingGroup.group_id))) == sorted([compound, a])
        used = {
            gid: at
            for gid, at in session.execute(
                select(TargetGroup.id, TargetGroup.last_used_in_mailing_at)
            )
        }
    assert used[compound] == used[a] == clock.now()
    assert used[b] is None


def test_publish_to_an_unknown_group_is_one_sentence_and_records_nothing(service, mirror, clock):
    with pytest.raises(SyncError, match=r"^There is no target group 'Nope' on bridge 'iMIS'; "):
        publish_mailing(service, "X", [A, "Nope"], clock, bridge="iMIS")
    with pytest.raises(SyncError, match="add --bridge"):
        publish_mailing(service, "X", [A], clock)  # A exists on four bridges
    assert rows(mirror, "SELECT COUNT(*) FROM mailing") == [(0,)]
    assert rows(mirror, "SELECT COUNT(*) FROM sync_run") == [(0,)]


# -- the CLI modules, without cli/main.py ---------------------------------------------------


class Ctx(CliContext):
    def __init__(self, engine, service: SyncService, clock, json_out: bool) -> None:  # type: ignore[no-untyped-def]
        super().__init__(
            None, json_out, clock=clock, credentials=service.credentials, settings=UserSettings()
        )
        self.__dict__["engine"] = engine
        self._service = service

    def sync_service(self) -> SyncService:
        return self._service

    def close(self) -> None:  # the mirror fixture disposes the engine
        pass


def cli(ctx: CliContext, *argv: str) -> int:
    root = argparse.ArgumentParser()
    sub = root.add_subparsers(dest="command")
    cmd_due.register(sub)
    cmd_mailing.register(sub)
    args = root.parse_args(argv)
    return args.run(ctx, args)


def test_cli_due_lists_then_runs(service, mirror, clock, capsys):
    clock.current = NIGHT
    lists_refreshed_at(mirror, clock.current)
    set_group(mirror, "iMIS", A, created_at=NIGHT - timedelta(days=1))
    assert cli(Ctx(mirror, service, clock, True), "due") == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["trigger"], listed["bridge"], listed["group"], listed["reason"]) == (
        "nightly",
        "iMIS",
        "A",
        "created 1 day ago",
    )
    assert cli(Ctx(mirror, service, clock, False), "due", "--run") == 0
    out = capsys.readouterr().out
    assert "nightly: iMIS: resync 'A' (created 1 day ago): run #1 succeeded" in out
    assert cli(Ctx(mirror, service, clock, False), "due") == 0
    assert capsys.readouterr().out.strip() == "Nothing is due now."


def test_cli_mailing_publish(service, mirror, clock, capsys):
    code = cli(
        Ctx(mirror, service, clock, True),
        "mailing",
        "publish",
        "News",
        "--groups",
        A,
        B,
        "--bridge",
        "iMIS",
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["groups"] == ["A", "B"]
    assert [(r["group"], r["status"]) for r in out["resyncs"]] == [
        ("A", "succeeded"),
        ("B", "succeeded"),
    ]
