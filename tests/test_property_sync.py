"""The sync's invariants for any records an AMS may send (issue 6; seed 000: only records with an
accepted status, an AMS id and a valid email that are not unsubscribed or opted out are synced).

Hypothesis draws groups of records - statuses accepted or not or missing, AMS ids missing,
blank or repeated, emails valid, invalid, missing, auto-correctable or the same but for case,
remote opt-outs, deactivated contacts - and resyncs each as a fresh group of a fresh bridge
through the real rules and merge (StaticConnector, SyncService, the test's mirror, which keeps
what earlier examples left: other bridges' subscribers are part of the world). After each run:

- one subscriber per email, case-insensitively;
- each record with an AMS id is either a member of the group or excluded with exactly one
  reason; records without one are excluded as such; an AMS id listed twice counts once;
- the run's counts add up: fetched = members + excluded + repeats;
- a second identical run changes nothing.
"""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mirror_helpers import add_bridge, rows, snapshot
from static_connector import StaticAms, StaticConnector

from informz_console.domain.exclusions import ExclusionReason
from informz_console.domain.records import RemoteRecord
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService

IDS = st.one_of(st.sampled_from(["1", "2", "3", "4", "5", " 6 "]), st.none(), st.just("  "))
EMAILS = st.one_of(
    st.sampled_from(["ann@example.org", "ANN@Example.org", "bob@example.org",
                     "Bob@EXAMPLE.ORG", "cy@example.org", "dee@example.org",
                     "eve@@example.org", "fay@example.org.", " gus@example.org ",
                     "not-an-email", "@example.org", "josé@example.org", "JOSÉ@example.org"]),
    st.none(), st.just(""))
RECORDS = st.lists(
    st.builds(RemoteRecord, ams_id=IDS, email=EMAILS,
              status=st.sampled_from(["A", "I", "a ", None]),
              first_name=st.sampled_from([None, "Ann", "Bob"]),
              remote_opt_out=st.booleans(), deactivated=st.booleans()),
    max_size=10)
_bridges = itertools.count(1)


def identified(record: RemoteRecord) -> str | None:
    return record.ams_id.strip() if record.ams_id and record.ams_id.strip() else None


def check_run(mirror, result, records: list[RemoteRecord], bridge: str, group: str) -> None:
    assert result.ok, result.error
    c = result.counts
    ids = [i for r in records if (i := identified(r))]
    repeats = len(ids) - len(set(ids))
    assert c.fetched == len(records)
    assert c.fetched == c.members_after + c.excluded + repeats

    keys = rows(mirror, "SELECT email_key, email FROM subscriber")
    assert all(key == email.lower() for key, email in keys)
    assert len({key for key, _ in keys}) == len(keys)  # one subscriber per email

    members = Counter(a for (a,) in rows(
        mirror, "SELECT l.ams_id FROM membership m JOIN target_group g ON g.id = m.group_id "
                "JOIN bridge b ON b.id = g.bridge_id JOIN subscriber_link l "
                "ON l.subscriber_id = m.subscriber_id AND l.bridge_id = b.id "
                "WHERE b.name = :b AND g.remote_key = :g", b=bridge, g=group))
    excluded = rows(mirror, "SELECT ams_id, reason FROM exclusion WHERE run_id = :r",
                    r=result.run_id)
    assert len(excluded) == c.excluded
    reasons = Counter(a for a, _ in excluded)
    for ams_id in set(ids):  # a member or excluded, with exactly one reason
        assert members[ams_id] + reasons[ams_id] == 1, (ams_id, members, excluded)
    no_id = [why for a, why in excluded if a is None]
    assert no_id.count(ExclusionReason.NO_AMS_ID.value) == len(records) - len(ids) - sum(
        1 for r in records if r.deactivated and not identified(r))
    assert sum(members.values()) == c.members_after


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=RECORDS)
def test_any_records_keep_the_sync_invariants(mirror, credentials, clock, records):
    bridge, group = f"AMS {next(_bridges)}", "G"
    add_bridge(mirror, clock, name=bridge, groups=(group,))
    credentials.set(f"bridge:imis:{bridge}", "pw")
    ams = StaticAms(groups={group: records}, page_size=4)
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda b, c: StaticConnector(ams))
    request = SyncRequest(bridge, SyncKind.RESYNC_GROUP, group=group)

    first = service.run(request)
    check_run(mirror, first, records, bridge, group)

    before = snapshot(mirror)
    second = service.run(request)
    check_run(mirror, second, records, bridge, group)
    assert (second.counts.added, second.counts.updated, second.counts.removed) == (0, 0, 0)
    assert snapshot(mirror) == before
