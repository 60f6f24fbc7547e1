"""Sync health and the rows behind a count, read from the mirror alone (seed 000: "Why isn't my
target group count what I think it should be?" is answered by the latest live resync's
exclusions; the console's count drift warning is issue 4)."""

from __future__ import annotations

import pytest
from mirror_helpers import add_bridge
from sqlalchemy.orm import Session
from static_connector import StaticAms, StaticConnector, StaticIdssConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.store.queries.drift import count_drift
from informz_console.store.queries.group_rows import (
    bridge_exclusions,
    group_members,
    member_ids,
    run_exclusions,
)
from informz_console.store.queries.health import (
    contact_error_totals,
    failed_runs,
    latest_resync_ids,
    reason_totals,
    sync_health,
)
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

MEMBERS, BOARD = "$/Test/Members", "$/Test/Board"


def people(count: int, start: int = 1) -> list[R]:
    return [R(str(n), f"person{n:03d}@example.org", "A") for n in range(start, start + count)]


@pytest.fixture
def ams() -> StaticAms:
    return StaticAms(groups={MEMBERS: people(10), BOARD: people(3)}, page_size=4)


@pytest.fixture
def idss_ams() -> StaticAms:
    return StaticAms(groups={"7": people(4, start=500)})


@pytest.fixture
def service(mirror, credentials, clock, ams, idss_ams):
    add_bridge(mirror, clock, groups=(MEMBERS, BOARD))
    add_bridge(mirror, clock, name="iDSS", kind="idss", groups=("7",))
    credentials.set("bridge:imis:iMIS", "pw")
    credentials.set("bridge:idss:iDSS", "pw")

    def connector_for(bridge, _creds):  # type: ignore[no-untyped-def]
        return StaticIdssConnector(idss_ams) if bridge.kind == "idss" else StaticConnector(ams)

    return SyncService(mirror, credentials, clock, connector_for=connector_for)


def resync(service, clock, group=MEMBERS, bridge="iMIS"):  # type: ignore[no-untyped-def]
    clock.advance(hours=1)
    result = service.run(SyncRequest(bridge, SyncKind.RESYNC_GROUP, group=group))
    return result


def bridge_id(mirror, name="iMIS") -> int:  # type: ignore[no-untyped-def]
    from informz_console.sync.lookup import find_bridge

    with Session(mirror) as session:
        return find_bridge(session, name).id


def test_drift_warns_when_the_count_moves_more_than_the_setting(service, clock, ams, mirror):
    for _ in range(5):
        assert resync(service, clock).ok
    ams.groups[MEMBERS] = people(7)  # 30% fewer than the mean (10) of the five runs before
    latest = resync(service, clock)
    with Session(mirror) as session:
        (drift,) = count_drift(session, None, 20)
        assert count_drift(session, None, 30) == []  # exactly 30%: not "more than"
    assert (drift.group, drift.bridge, drift.run_id) == ("Members", "iMIS", latest.run_id)
    assert (drift.members, drift.mean, drift.runs) == (7, 10.0, 5)
    assert drift.percent == pytest.approx(-30.0)
    assert "down 30% against the mean of its previous 5 runs (10)" in drift.sentence()


def test_drift_compares_with_the_five_runs_before_the_latest_only(service, clock, ams, mirror):
    ams.groups[MEMBERS] = people(2)  # a sixth run back: outside the window
    assert resync(service, clock).ok
    ams.groups[MEMBERS] = people(10)
    for _ in range(5):
        assert resync(service, clock).ok
    with Session(mirror) as session:
        assert count_drift(session, None, 20) == []  # 10 against 10, the 2 is forgotten
    ams.groups[MEMBERS] = people(13)
    resync(service, clock)
    imis, idss = bridge_id(mirror), bridge_id(mirror, "iDSS")
    with Session(mirror) as session:
        (drift,) = count_drift(session, imis, 20)
        assert count_drift(session, idss, 20) == []
    assert drift.percent == pytest.approx(30.0)


def test_drift_ignores_dry_runs_and_first_runs(service, clock, ams, mirror):
    assert resync(service, clock).ok
    ams.groups[MEMBERS] = people(2)
    clock.advance(hours=1)
    assert service.run(SyncRequest("iMIS", group=MEMBERS, dry_run=True)).ok
    with Session(mirror) as session:
        assert count_drift(session, None, 20) == []


def test_reasons_add_up_the_latest_live_resync_of_each_group(service, clock, ams, mirror):
    ams.groups[MEMBERS] = people(8) + [R("90", "bad-address", "A"), R("91", "x@example.org", "S")]
    ams.groups[BOARD] = people(2) + [R("92", "also-bad", "A")]
    assert resync(service, clock).ok
    assert resync(service, clock, BOARD).ok
    ams.groups[MEMBERS] = people(8) + [R("90", "bad-address", "A"), R("93", "", "A")]
    latest = resync(service, clock)  # replaces the first run's exclusions
    clock.advance(hours=1)
    assert service.run(SyncRequest("iMIS", group=BOARD, dry_run=True)).ok  # not counted
    idss = bridge_id(mirror, "iDSS")
    with Session(mirror) as session:
        totals = {(t.reason, t.records, t.groups) for t in reason_totals(session, None)}
        assert totals == {("invalid_email", 2, 2), ("missing_email", 1, 1)}
        assert reason_totals(session, idss) == []
        rows = bridge_exclusions(latest_resync_ids(None), "invalid_email", "all bridges")
        found = rows.rows(session, rows.keys(session))
        assert sorted((r[0], r[2], r[4]) for r in found.values()) == [
            ("90", "Invalid email address", "Members"), ("92", "Invalid email address", "Board")]
        mine = run_exclusions(latest.run_id, "missing_email", "Members", "iMIS")
        assert [r[0] for r in mine.rows(session, mine.keys(session)).values()] == ["93"]
        everything = run_exclusions(latest.run_id, None, "Members", "iMIS")
        assert len(everything.keys(session)) == 2


def test_a_failed_run_is_an_error_until_a_later_run_succeeds(service, clock, ams, mirror):
    assert resync(service, clock).ok
    ams.fail_after_pages = 1
    failed = resync(service, clock)
    assert not failed.ok
    idss = bridge_id(mirror, "iDSS")
    with Session(mirror) as session:
        (run,) = failed_runs(session, None)
        assert (run.run_id, run.group, run.kind) == (failed.run_id, "Members", "resync_group")
        assert "dropped the connection" in run.error
        assert failed_runs(session, idss) == []
    ams.fail_after_pages = None
    assert resync(service, clock).ok
    with Session(mirror) as session:
        assert failed_runs(session, None) == []


def test_contacts_the_ams_refused_are_counted_by_error(service, clock, idss_ams, mirror):
    idss_ams.failing_codes = {"500": "Record locked by iDSS user jsmith",
                              "501": "Record locked by iDSS user jsmith"}
    resync(service, clock, group="7", bridge="iDSS")
    imis, idss = bridge_id(mirror), bridge_id(mirror, "iDSS")
    with Session(mirror) as session:
        (total,) = contact_error_totals(session, idss)
        assert (total.system_error, total.contacts) == ("Record locked by iDSS user jsmith", 2)
        assert contact_error_totals(session, imis) == []
        health = sync_health(session, None, 20)
    assert [t.contacts for t in health.contact_errors] == [2]


def test_members_are_listed_by_email_with_their_ams_id(service, clock, ams, mirror):
    ams.groups[MEMBERS] = [R("3", "Cy@example.org", "A"), R("1", "ann@example.org", "A"),
                           R("2", "bob@example.org", "A")]
    assert resync(service, clock).ok
    with Session(mirror) as session:
        group_id = session.scalar(select_group_id(MEMBERS))
        rows = group_members(group_id, "Members", "iMIS")
        keys = rows.keys(session)
        assert len(keys) == len(member_ids(session, group_id)) == 3
        found = rows.rows(session, keys)
        assert [found[k][:2] for k in keys] == [
            ("ann@example.org", "1"), ("bob@example.org", "2"), ("Cy@example.org", "3")]
    assert rows.file_stem == "imis-members-members"


def select_group_id(remote_key: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from informz_console.store.models import TargetGroup

    return select(TargetGroup.id).where(TargetGroup.remote_key == remote_key)
