"""The change feed (iMIS Informz_Changes): partial and full refresh (seed 000)."""

from __future__ import annotations

import pytest
from mirror_helpers import add_bridge, members, rows
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import ChangeKind, RemoteChange
from informz_console.domain.records import RemoteRecord as R
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

G = "$/Test/Members"


@pytest.fixture
def ams() -> StaticAms:
    return StaticAms(groups={G: [R("1", "ann@example.org", "A"), R("2", "bob@example.org", "A")]})


@pytest.fixture
def service(mirror, credentials, clock, ams) -> SyncService:
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    return SyncService(mirror, credentials, clock,
                       connector_for=lambda bridge, creds: StaticConnector(ams))


def partial(service: SyncService):  # type: ignore[no-untyped-def]
    return service.run(SyncRequest("iMIS", SyncKind.PARTIAL))


def test_partial_applies_changes_above_the_high_water_mark(service, mirror, ams):
    """Seed 000: a partial refresh brings over new or changed data (a new email, a new iMIS
    ID) from Informz_Changes."""
    service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))
    ams.changes = [
        RemoteChange(1, ChangeKind.ADDED, R("3", "cy@example.org", "A")),
        RemoteChange(2, ChangeKind.CHANGED, R("1", "ann.new@example.org", "A"),
                     old_email="ann@example.org"),
    ]
    first = partial(service)
    assert first.ok, first.error
    assert (first.counts.added, first.counts.updated) == (1, 1)
    assert members(mirror, G) == ["ann.new@example.org", "bob@example.org"]
    assert rows(mirror, "SELECT change_high_water FROM bridge") == [(2,)]
    again = partial(service)  # nothing above #2: nothing to do
    assert (again.counts.fetched, again.counts.added, again.counts.updated) == (0, 0, 0)


def test_partial_removes_a_record_that_may_no_longer_sync(service, mirror, ams):
    service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))
    ams.changes = [
        RemoteChange(5, ChangeKind.CHANGED, R("2", "bob@example.org", "S")),  # suspended
        RemoteChange(6, ChangeKind.DELETED, R("1", None)),  # person deleted in iMIS
    ]
    result = partial(service)
    removed = dict(rows(mirror, "SELECT ams_id, reason FROM run_change WHERE run_id = :r "
                                "AND change = 'removed'", r=result.run_id))
    assert removed == {"2": "status_not_accepted", "1": "deactivated"}
    assert members(mirror, G) == []


def test_repeated_changes_of_one_id_apply_the_newest(service, mirror, ams):
    ams.changes = [
        RemoteChange(1, ChangeKind.ADDED, R("7", "old@example.org", "A")),
        RemoteChange(2, ChangeKind.CHANGED, R("7", "new@example.org", "A")),
    ]
    partial(service)
    assert rows(mirror, "SELECT s.email FROM subscriber s JOIN subscriber_link l "
                        "ON l.subscriber_id = s.id WHERE l.ams_id = '7'") == [("new@example.org",)]


def test_failed_partial_keeps_the_high_water_mark(service, mirror, ams):
    ams.changes = [RemoteChange(n, ChangeKind.ADDED, R(str(n), f"p{n}@example.org", "A"))
                   for n in range(1, 10)]
    ams.fail_after_pages = 2
    assert partial(service).status == "failed"
    assert rows(mirror, "SELECT change_high_water FROM bridge") == [(0,)]
    ams.fail_after_pages = None
    assert partial(service).counts.fetched == 9


def test_full_refresh_by_staff_consumes_the_rebuilt_table(mirror, credentials, clock, ams):
    """Seed 000: a full refresh removes all records in Informz_Changes and rebuilds it; only
    staff may run it."""
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    staff = SyncService(mirror, credentials, clock, is_staff=True,
                        connector_for=lambda bridge, creds: StaticConnector(ams))
    with mirror.begin() as conn:
        conn.exec_driver_sql("UPDATE bridge SET change_high_water = 50")
    ams.changes = [RemoteChange(1, ChangeKind.ADDED, R("1", "ann@example.org", "A"))]
    result = staff.run(SyncRequest("iMIS", SyncKind.FULL))
    assert result.ok and result.counts.added == 1  # read from #0, not from the old mark
    assert staff.run(SyncRequest("iMIS", SyncKind.FULL, dry_run=True)).status == "failed"
