"""The sync engine on one target group: rules, merge, counts, row changes (seed 000)."""

from __future__ import annotations

import pytest
from mirror_helpers import add_bridge, members, rows, snapshot
from sqlalchemy import text
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.sync.cancel import CancelToken
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

G = "$/Test/Members"


@pytest.fixture
def ams() -> StaticAms:
    return StaticAms(groups={G: [
        R("1", "ann@example.org", "A", "Ann"),
        R("2", "bob@example.org", "A", "Bob"),
        R("3", "cy@example.org", "S", "Cy"),  # suspended
        R(None, "noid@example.org", "A"),
        R("5", "not-an-email", "A"),
        R("6", None, "A"),
        R("7", "ANN@example.org", "A"),  # same email as 1, other case
        R("8", "admin@@example.org", "A"),  # fixable
    ]})


@pytest.fixture
def service(mirror, credentials, clock, ams) -> SyncService:
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    return SyncService(mirror, credentials, clock,
                       connector_for=lambda bridge, creds: StaticConnector(ams))


def resync(service: SyncService, **kw):  # type: ignore[no-untyped-def]
    return service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G, **kw))


def test_only_accepted_identified_valid_records_are_synced(service, mirror):
    """Seed 000: only records with an accepted status, an iMIS ID and a valid email sync."""
    result = resync(service)
    assert result.ok, result.error
    assert members(mirror, G) == ["admin@example.org", "ann@example.org", "bob@example.org"]
    reasons = dict(rows(mirror, "SELECT ams_id, reason FROM exclusion WHERE run_id = :r",
                        r=result.run_id))
    assert reasons == {"3": "status_not_accepted", None: "no_ams_id", "5": "invalid_email",
                       "6": "missing_email", "7": "duplicate_email"}
    c = result.counts
    assert (c.fetched, c.added, c.excluded, c.members_after) == (8, 3, 5, 3)
    assert c.fetched == c.members_after + c.excluded  # every record: member or one reason


def test_a_run_reports_its_merge_step_by_step(service):
    """The benchmark shows where a merge's time goes: each step is timed, and together they
    are the merge (the rest of it is counting the run)."""
    result = resync(service)
    steps = result.merge_steps
    assert {"new subscribers", "links", "memberships", "exclusions", "synced records"} <= set(steps)
    assert all(seconds >= 0 for seconds in steps.values())
    assert sum(steps.values()) <= result.timings["merge"]


def test_while_a_sync_runs_only_the_young_generations_collect(mirror, credentials, clock, ams):
    """A full collection walks every object alive and a sync's records keep triggering them
    (sync/collector.py): while it runs they wait, and the thresholds come back after it."""
    import gc

    from informz_console.sync.collector import NO_FULL_COLLECTION

    seen = []

    class Watching(StaticConnector):
        def group_members(self, remote_key, cancel=None):  # type: ignore[no-untyped-def]
            seen.append(gc.get_threshold())
            return super().group_members(remote_key)

    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda bridge, creds: Watching(ams))
    before = gc.get_threshold()
    assert before[2] < NO_FULL_COLLECTION
    assert resync(service).ok
    assert seen == [(before[0], before[1], NO_FULL_COLLECTION)]
    assert gc.get_threshold() == before


def test_each_excluded_record_has_exactly_one_reason(service, mirror):
    result = resync(service)
    per_record = rows(mirror, "SELECT seq, COUNT(*) FROM (SELECT ams_id AS seq FROM exclusion "
                      "WHERE run_id = :r) AS x GROUP BY seq HAVING COUNT(*) > 1", r=result.run_id)
    assert per_record == []


def test_unchanged_resync_changes_nothing(service, mirror):
    resync(service)
    before = snapshot(mirror)
    again = resync(service)
    assert (again.counts.added, again.counts.updated, again.counts.removed) == (0, 0, 0)
    after = snapshot(mirror)
    after["target_group"] = before["target_group"]  # last_synced_at moves, nothing else
    assert after == before


def test_email_change_updates_the_same_subscriber(service, mirror, ams):
    """Seed 000: a partial/mailing sync brings "the most current email addresses"."""
    resync(service)
    ams.groups[G][1] = R("2", "robert@example.org", "A", "Bob")
    result = resync(service)
    assert result.counts.updated == 1
    assert "bob@example.org" not in members(mirror, G)
    assert "robert@example.org" in members(mirror, G)
    detail = rows(mirror, "SELECT detail FROM run_change WHERE run_id = :r AND change='updated'",
                  r=result.run_id)
    assert detail == [("email bob@example.org -> robert@example.org; ",)]
    assert rows(mirror, "SELECT COUNT(*) FROM subscriber WHERE email_key LIKE 'bob%'") == [(0,)]


def test_leaving_the_query_or_losing_status_removes_with_the_reason(service, mirror, ams):
    resync(service)
    ams.groups[G] = [r for r in ams.groups[G] if r.ams_id != "2"]  # Bob left the IQA
    ams.groups[G][0] = R("1", "ann@example.org", "I", "Ann")  # Ann became inactive
    result = resync(service)
    removed = dict(rows(mirror, "SELECT ams_id, reason FROM run_change "
                                "WHERE run_id = :r AND change = 'removed'", r=result.run_id))
    assert removed == {"1": "status_not_accepted", "2": "not_in_query"}
    assert members(mirror, G) == ["admin@example.org"]


def test_unsubscribed_in_the_mirror_stays_out(service, mirror):
    """Seed 000: records "previously unsubscribed in Informz" are not synced."""
    resync(service)
    with mirror.begin() as conn:
        conn.exec_driver_sql("UPDATE subscriber SET status = 'unsubscribed' "
                             "WHERE email_key = 'bob@example.org'")
    result = resync(service)
    assert "bob@example.org" not in members(mirror, G)
    assert rows(mirror, "SELECT reason FROM run_change WHERE run_id = :r AND change='removed'",
                r=result.run_id) == [("unsubscribed",)]


def test_uploaded_subscriber_gets_the_ams_id_not_a_duplicate(service, mirror, clock):
    """Seed 000: an uploaded address later brought in by a sync gets the iMIS ID added to the
    existing subscriber record; no duplicate is created and its history is kept."""
    with mirror.begin() as conn:
        conn.execute(text(
            "INSERT INTO subscriber (email, email_key, status, source, created_at, updated_at) "
            "VALUES ('Bob@Example.org', 'bob@example.org', 'active', 'upload', :at, :at)"),
            {"at": clock.now().replace(tzinfo=None)})
    uploaded_id = rows(mirror, "SELECT id FROM subscriber")[0][0]
    result = resync(service)
    assert rows(mirror, "SELECT subscriber_id FROM subscriber_link WHERE ams_id = '2'") == [
        (uploaded_id,)]
    assert rows(mirror, "SELECT COUNT(*) FROM subscriber WHERE email_key='bob@example.org'") == [
        (1,)]
    changes = dict(rows(mirror, "SELECT change, detail FROM run_change WHERE run_id = :r "
                                "AND ams_id = '2'", r=result.run_id))
    assert changes == {
        "linked": "AMS id added to the existing subscriber",
        "updated": "email Bob@Example.org -> bob@example.org; first name; ",
        "added": None,
    }


def test_email_owned_by_another_ams_id_is_a_duplicate(service, mirror, ams):
    resync(service)
    ams.groups[G].append(R("9", "bob@example.org", "A"))
    result = resync(service)
    assert rows(mirror, "SELECT reason, detail FROM exclusion WHERE run_id = :r AND ams_id='9'",
                r=result.run_id) == [("duplicate_email", "email already belongs to AMS id 2")]


def test_autocorrected_email_is_one_icorrect_writeback_per_id(service, mirror):
    """DOMAIN.md iCORRECT: admin@@x.org -> admin@x.org, original and corrected, at most one per
    iMIS ID."""
    resync(service)
    resync(service)
    assert rows(mirror, "SELECT type, state, payload FROM writeback") == [
        ("iCORRECT", "ready",
         '{"ams_id": "8", "original": "admin@@example.org", "corrected": "admin@example.org"}')]


def test_remote_opt_out_is_kept_as_remote_unsubscribed_then_lifted(service, mirror, ams):
    """Seed 001: a customer whose AMS flag is off is brought over as "Unsubscribed from remote
    system"; the flag back on resubscribes only an unsubscribe that came from the AMS."""
    ams.groups[G][0] = R("1", "ann@example.org", "A", "Ann", remote_opt_out=True)
    resync(service)
    assert rows(mirror, "SELECT status, status_reason FROM subscriber WHERE email_key = "
                        "'ann@example.org'") == [("remote_unsubscribed",
                                                  "Unsubscribed from remote system")]
    assert "ann@example.org" not in members(mirror, G)
    ams.groups[G][0] = R("1", "ann@example.org", "A", "Ann")
    resync(service)
    assert rows(mirror, "SELECT status FROM subscriber WHERE email_key = 'ann@example.org'") == [
        ("active",)]
    assert "ann@example.org" in members(mirror, G)


def test_dry_run_reports_the_same_and_changes_nothing(service, mirror):
    before = snapshot(mirror)
    preview = resync(service, dry_run=True)
    assert snapshot(mirror) == before
    live = resync(service)
    c1, c2 = preview.counts, live.counts
    assert (c1.added, c1.updated, c1.removed, c1.excluded) == (
        c2.added, c2.updated, c2.removed, c2.excluded)
    assert sorted(p.email for p in preview.preview if p.change == "added") == [
        "admin@example.org", "ann@example.org", "bob@example.org"]
    assert rows(mirror, "SELECT mode, status FROM sync_run WHERE id = :r",
                r=preview.run_id) == [("dry_run", "succeeded")]


def test_cancel_leaves_the_mirror_as_it_was(service, mirror, ams):
    resync(service)
    ams.groups[G] = ams.groups[G][:2]  # a resync would remove most members
    before = snapshot(mirror)
    token = CancelToken()

    def cancel_after_first_page(progress):  # type: ignore[no-untyped-def]
        if progress.phase == "fetch":
            token.cancel()

    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G),
                         progress=cancel_after_first_page, cancel=token)
    assert result.status == "cancelled"
    assert snapshot(mirror) == before
    assert rows(mirror, "SELECT status, error FROM sync_run WHERE id = :r", r=result.run_id) == [
        ("cancelled", "The sync was cancelled; the mirror is unchanged.")]


def test_cancel_during_merge_rolls_back(service, mirror, ams):
    resync(service)
    ams.groups[G] = ams.groups[G][:2]
    before = snapshot(mirror)
    token = CancelToken()

    def cancel_mid_merge(progress):  # type: ignore[no-untyped-def]
        if progress.phase == "merge" and progress.done == progress.total:  # all applied
            token.cancel()

    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G),
                         progress=cancel_mid_merge, cancel=token)
    assert result.status == "cancelled"
    assert snapshot(mirror) == before


def test_failure_mid_fetch_leaves_the_mirror_and_next_run_succeeds(service, mirror, ams):
    resync(service)
    before = snapshot(mirror)
    ams.fail_after_pages = 1
    failed = resync(service)
    assert failed.status == "failed"
    assert failed.error == "The static AMS dropped the connection."
    assert snapshot(mirror) == before
    ams.fail_after_pages = None
    assert resync(service).ok


def test_unknown_group_is_one_clear_sentence(service):
    result = service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="nope"))
    assert result.status == "failed"
    assert result.error.startswith("Bridge 'iMIS' has no target group 'nope'")


def test_full_refresh_is_staff_only(service):
    """Seed 000: "A full refresh is a manual sync that can only be executed by an Informz staff
    member." Enforced in sync/, not by a button."""
    result = service.run(SyncRequest("iMIS", SyncKind.FULL))
    assert result.status == "failed"
    assert "staff" in result.error


def test_idss_email_change_creates_a_new_subscriber(mirror, credentials, clock):
    """Seed 002 / DOMAIN (iDSS): "Changing a contact's email creates a new subscriber"; the old
    subscriber keeps its email and history, and leaves the list."""
    add_bridge(mirror, clock, name="iDSS", kind="idss", groups=("list-1",))
    credentials.set("bridge:idss:iDSS", "key")
    ams = StaticAms(groups={"list-1": [R("c1", "old@example.org"), R("c2", "two@example.org")]})
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda bridge, creds: StaticConnector(ams))
    service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group="list-1"))
    old_id = rows(mirror, "SELECT id FROM subscriber WHERE email_key = 'old@example.org'")[0][0]
    ams.groups["list-1"][0] = R("c1", "new@example.org")
    result = service.run(SyncRequest("iDSS", SyncKind.RESYNC_GROUP, group="list-1"))
    assert result.ok, result.error
    assert members(mirror, "list-1") == ["new@example.org", "two@example.org"]
    new_id = rows(mirror, "SELECT id FROM subscriber WHERE email_key = 'new@example.org'")[0][0]
    assert new_id != old_id
    assert rows(mirror, "SELECT subscriber_id FROM subscriber_link WHERE ams_id = 'c1'") == [
        (new_id,)]
    changes = rows(mirror, "SELECT subscriber_id, change FROM run_change WHERE run_id = :r "
                           "ORDER BY id", r=result.run_id)
    assert changes == [(old_id, "unlinked"), (old_id, "removed"), (new_id, "added")]


def test_imis_email_change_keeps_the_subscriber(service, mirror, ams):
    """iMIS (seed 000): a changed email updates the subscriber the iMIS ID is linked to."""
    resync(service)
    before = rows(mirror, "SELECT subscriber_id FROM subscriber_link WHERE ams_id = '2'")
    ams.groups[G][1] = R("2", "bobby@example.org", "A")
    resync(service)
    assert rows(mirror, "SELECT subscriber_id FROM subscriber_link WHERE ams_id = '2'") == before
