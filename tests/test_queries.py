"""Counts, explain and the sync log, read from the mirror alone (seed 000: "Why isn't my
target group count what I think it should be?")."""

from __future__ import annotations

import pytest
from mirror_helpers import add_bridge
from sqlalchemy.orm import Session
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.store.queries.counts import all_counts
from informz_console.store.queries.explain import explain, find_subscribers
from informz_console.store.queries.groups import one_group
from informz_console.store.queries.runs import list_runs, run_detail
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

G = "$/Test/Members"


@pytest.fixture
def synced(mirror, credentials, clock):
    ams = StaticAms(groups={G: [
        R("1", "ann@example.org", "A"), R("2", "bob@example.org", "A"),
        R("3", "cy@example.org", "S"), R("4", "bad-address", "A"),
    ]})
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda bridge, creds: StaticConnector(ams))
    service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))
    clock.advance(hours=1)
    ams.groups[G] = ams.groups[G][:1] + ams.groups[G][2:]  # Bob leaves the query
    service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))
    return mirror


def test_counts_break_exclusions_down_by_reason(synced):
    with Session(synced) as session:
        (counts,) = all_counts(session)
    assert counts.members == 1
    assert counts.fetched == 3
    assert counts.excluded == {"status_not_accepted": 1, "invalid_email": 1}


def explain_in(engine, email):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return explain(session, email, one_group(session, "Members"))


def test_explain_a_member(synced):
    answer = explain_in(synced, "ANN@example.org")
    assert answer.is_member
    assert answer.verdict.startswith("ANN@example.org is a member of 'Members' (iMIS), added by "
                                     "run #1")
    assert answer.ams_ids == ["1"]


def test_explain_an_excluded_record(synced):
    answer = explain_in(synced, "cy@example.org")
    assert not answer.is_member
    assert "excluded it: Status not accepted (status 'S')" in answer.verdict


def test_explain_a_removed_subscriber_with_history(synced):
    answer = explain_in(synced, "bob@example.org")
    assert "removed by run #2" in answer.verdict
    assert "No longer in the AMS query or list" in answer.verdict
    assert [(h.run_id, h.change) for h in answer.history] == [(1, "added"), (2, "removed")]


def test_explain_an_unknown_email(synced):
    answer = explain_in(synced, "nobody@example.org")
    assert "no subscriber has this email" in answer.verdict


def test_find_subscriber_by_email_or_ams_id(synced):
    with Session(synced) as session:
        assert [s.email for s in find_subscribers(session, "1")] == ["ann@example.org"]
        assert [s.email for s in find_subscribers(session, "Bob@Example.org")] == [
            "bob@example.org"]


def test_sync_log_lists_runs_and_details(synced):
    with Session(synced) as session:
        runs = list_runs(session)
        detail = run_detail(session, runs[0].id)
    assert [(r.id, r.status, r.removed) for r in runs] == [(2, "succeeded", 1),
                                                           (1, "succeeded", 0)]
    assert detail.excluded_by_reason == {"status_not_accepted": 1, "invalid_email": 1}
    assert any("Fetched 3: added 0, updated 0, removed 1, excluded 2." in line
               for _, _, line in detail.log)


def test_explain_names_the_other_records_sharing_an_email(mirror, credentials, clock):
    ams = StaticAms(groups={G: [R("1", "ann@example.org", "A"), R("2", "Ann@Example.org", "A")]})
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    SyncService(mirror, credentials, clock, connector_for=lambda b, c: StaticConnector(ams)).run(
        SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))
    answer = explain_in(mirror, "ann@example.org")
    assert answer.is_member
    assert answer.verdict.endswith("Other AMS records with this email were excluded as "
                                   "duplicates: AMS id 2.")


def test_explain_names_the_other_ams_record_a_group_excluded_for_this_email(mirror, clock):
    """Seed 002 (one subscriber per email): the subscriber is AMS 1; the group fetched AMS 2
    with the same email and excluded it. The verdict names AMS 2, not "it"."""
    from sqlalchemy import select

    from informz_console.store.models import (
        Exclusion,
        Subscriber,
        SubscriberLink,
        SyncRun,
        TargetGroup,
    )

    add_bridge(mirror, clock, groups=("$/Test/East",))
    with Session(mirror) as session:
        group = session.scalar(select(TargetGroup).where(TargetGroup.remote_key == "$/Test/East"))
        sub = Subscriber(email="pat@example.org", email_key="pat@example.org", status="active",
                         created_at=clock.now(), updated_at=clock.now())
        session.add(sub)
        session.flush()
        session.add(SubscriberLink(bridge_id=group.bridge_id, ams_id="1", subscriber_id=sub.id,
                                      linked_at=clock.now()))
        run = SyncRun(bridge_id=group.bridge_id, group_id=group.id, trigger="manual",
                      kind="resync_group", mode="live", status="succeeded",
                      started_at=clock.now(), finished_at=clock.now())
        session.add(run)
        session.flush()
        session.add(Exclusion(run_id=run.id, group_id=group.id, ams_id="2",
                              email="PAT@example.org", email_key="pat@example.org",
                              reason="duplicate_email",
                              detail="email already belongs to AMS id 1"))
        session.commit()
        verdict = explain(session, "pat@example.org", group).verdict
    assert "excluded AMS id 2, which has this email: Duplicate email" in verdict
    assert "Other AMS records" not in verdict  # AMS 2 is named once


def test_explain_answers_for_the_email_as_the_ams_gave_it(mirror, credentials, clock):
    """Seed 000 / DOMAIN iCORRECT: `dan@@example.org` syncs as dan@example.org. An advisor
    reading the AMS's own spelling is told of the member, the correction and its writeback."""
    from sqlalchemy import update

    from informz_console.store.models import Writeback

    ams = StaticAms(groups={G: [R("1", "ann@example.org", "A"), R("7", "dan@@example.org", "A")]})
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    SyncService(mirror, credentials, clock, connector_for=lambda b, c: StaticConnector(ams)).run(
        SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))
    note = ("AMS id 7 gave this email as 'dan@@example.org': the sync corrected it, and the "
            "iCORRECT writeback to the AMS is waiting to be sent.")
    for typed in ("dan@@example.org", "Dan@example.org"):
        answer = explain_in(mirror, typed)
        assert answer.is_member and answer.ams_ids == ["7"]
        assert answer.verdict.lower().startswith("dan@example.org is a member of 'members'")
        assert answer.verdict.endswith(note)
    with Session(mirror) as session:
        assert [s.email for s in find_subscribers(session, "dan@@example.org")] == [
            "dan@example.org"]
        # no claim where the sync corrected nothing: Ann's address was never "ann@example.org."
        assert find_subscribers(session, "ann@example.org.") == []
        session.execute(update(Writeback).values(state="sent", sent_at=clock.now()))
        session.commit()
    assert explain_in(mirror, "dan@example.org").verdict.endswith(
        f"writeback to the AMS was sent on {clock.now():%Y-%m-%d %H:%M}.")
    unknown = explain_in(mirror, "ann@example.org.")
    assert not unknown.is_member and "no subscriber has this email" in unknown.verdict


def test_explain_by_ams_id(synced):
    """Seed 000 ("Why isn't my target group count what I think it should be?"): an advisor
    often has the record's AMS id, not its email; each outcome is told from the mirror."""
    member = explain_in(synced, "1")
    assert member.is_member and member.email == "ann@example.org"
    assert member.verdict.startswith("ann@example.org is a member of 'Members' (iMIS)")
    removed = explain_in(synced, " 2 ")
    assert not removed.is_member and removed.ams_ids == ["2"]
    assert removed.verdict.startswith("bob@example.org is not a member of 'Members' (iMIS): "
                                      "removed by run #2")
    # records that never became subscribers: the exclusion, and the email the AMS holds
    status = explain_in(synced, "3")
    assert status.verdict.startswith("AMS id 3 is not a member of 'Members' (iMIS): the "
                                     "latest resync (run #2, ")
    assert status.verdict.endswith("excluded it: Status not accepted (status 'S'). Its email "
                                   "in the AMS: 'cy@example.org'.")
    invalid = explain_in(synced, "4")
    assert "excluded it: Invalid email address (" in invalid.verdict
    assert invalid.verdict.endswith("Its email in the AMS: 'bad-address'.")
    by_email = explain_in(synced, "bad-address")  # no @: tried as an email first
    assert by_email.verdict.startswith("bad-address is not a member")
    assert "excluded it: Invalid email address" in by_email.verdict
    unknown = explain_in(synced, "99")
    assert unknown.verdict == ("99 is not a member of 'Members' (iMIS): no subscriber has this "
                               "email or AMS id, and the latest resync (run #2) did not fetch "
                               "it from the AMS.")
