"""A resync passes over the records that are as last synced (sync/last_synced), and the mirror
ends exactly as if every record had been staged and compared whole.

The rules it must not bend are the seeds': seed 000 (only records with an accepted status, an
AMS id and a valid email that are not unsubscribed or opted out are synced; an upload's
subscriber gets the AMS id added), seed 001 (a remote opt-out is brought over as
"Unsubscribed from remote system" and lifted when the AMS flag is back).
"""

from __future__ import annotations

import contextlib
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mirror_helpers import add_bridge, rows, snapshot
from sqlalchemy import text
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord
from informz_console.store.engine import open_engine
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService
from informz_console.sync.subscriber_actions import Action, SubscriberActionError, change_status
from informz_console.sync.upload import upload_csv

EMAILS = ["ann@example.org", "ANN@example.org", "bob@example.org", "cy@example.org",
          "eve@@example.org", "not-an-email", None]
RECORD = st.builds(
    RemoteRecord,
    ams_id=st.sampled_from(["1", "2", "3", "4", "5"]),
    email=st.sampled_from(EMAILS),
    status=st.sampled_from(["A", "I"]),
    first_name=st.sampled_from([None, "Ann", "Bob"]),
    remote_opt_out=st.booleans(),
)
STEP = st.one_of(
    st.tuples(st.just("sync"), st.sampled_from(["G1", "G2"]), st.lists(RECORD, max_size=6)),
    st.tuples(st.just("resync"), st.sampled_from(["G1", "G2"])),  # the AMS as it was
    st.tuples(st.just("status"), st.sampled_from(EMAILS[:4]),
              st.sampled_from([Action.UNSUBSCRIBE, Action.RESUBSCRIBE])),
    st.tuples(st.just("upload"), st.sampled_from(EMAILS[:4]), st.sampled_from(["Up", "Load"])),
    st.tuples(st.just("accept"), st.sampled_from(["A", "A,I"])),
)
_bridges = itertools.count(1)
SYNC_TABLES = ("subscriber", "subscriber_link", "membership", "writeback", "bridge")


class World:
    """One mirror and the services that sync it, with or without passing over records."""

    def __init__(self, engine, credentials, clock, ams: StaticAms, pass_over: bool):  # type: ignore[no-untyped-def]
        self.engine, self.clock = engine, clock
        self.service = SyncService(engine, credentials, clock, pass_over_unchanged=pass_over,
                                   connector_for=lambda b, c: StaticConnector(ams))

    def sync(self, bridge: str, group: str) -> tuple:
        result = self.service.run(SyncRequest(bridge, SyncKind.RESYNC_GROUP, group=group))
        assert result.ok, result.error
        c = result.counts
        return ((c.fetched, c.added, c.updated, c.removed, c.excluded, c.members_after),
                sorted(rows(self.engine, "SELECT ams_id, email, email_key, reason, detail "
                                         "FROM exclusion WHERE run_id = :r", r=result.run_id),
                       key=repr),
                sorted(rows(self.engine, "SELECT subscriber_id, ams_id, email, change, reason, "
                                         "detail FROM run_change WHERE run_id = :r",
                            r=result.run_id), key=repr))

    def status(self, email: str, action: Action) -> None:
        with contextlib.suppress(SubscriberActionError):  # none yet: the same in both worlds
            change_status(self.engine, self.clock, email, action)

    def upload(self, path, email: str, name: str) -> None:  # type: ignore[no-untyped-def]
        path.write_text(f"email,first_name\n{email},{name}\n")
        assert upload_csv(self.engine, path, self.clock).status == "succeeded"

    def accept(self, bridge: str, statuses: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE bridge SET accepted_statuses = :a WHERE name = :b"),
                         {"a": statuses, "b": bridge})

    def state(self) -> dict:
        tables = snapshot(self.engine)
        return {t: tables[t] for t in SYNC_TABLES}


@pytest.fixture
def worlds(tmp_path, credentials, clock):  # type: ignore[no-untyped-def]
    ams = StaticAms(page_size=4)
    engines = [open_engine(tmp_path / f"{name}.sqlite") for name in ("passes", "whole")]
    yield ams, [World(e, credentials, clock, ams, pass_over)
                for e, pass_over in zip(engines, (True, False), strict=True)]
    for engine in engines:
        engine.dispose()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=7))
def test_passing_over_unchanged_records_ends_as_staging_them_all(worlds, credentials, clock,
                                                                 tmp_path, steps):
    ams, (passes, whole) = worlds
    bridge = f"AMS {next(_bridges)}"
    credentials.set(f"bridge:imis:{bridge}", "pw")
    ams.groups = {"G1": [], "G2": []}
    for world in (passes, whole):
        add_bridge(world.engine, clock, name=bridge, groups=("G1", "G2"))
    for step in steps:
        kind, *args = step
        if kind == "sync":
            ams.groups[args[0]] = args[1]
        for world in (passes, whole):
            if kind in ("sync", "resync"):
                world.outcome = world.sync(bridge, args[0])
            elif kind == "status":
                world.status(*args)
            elif kind == "upload":
                world.upload(tmp_path / "upload.csv", *args)
            else:
                world.accept(bridge, *args)
        if kind in ("sync", "resync"):
            assert passes.outcome == whole.outcome, step
        assert passes.state() == whole.state(), step
    assert rows(whole.engine, "SELECT COUNT(*) FROM synced_record") == [(0,)]


def one_group(mirror, credentials, clock, records: list[RemoteRecord]):  # type: ignore[no-untyped-def]
    """A bridge with one group G holding `records`: (its AMS, a service, G's resync)."""
    add_bridge(mirror, clock, groups=("G",))
    credentials.set("bridge:imis:iMIS", "pw")
    ams = StaticAms(groups={"G": records})
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda b, c: StaticConnector(ams))
    return ams, service, SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G")


def test_an_unchanged_resync_stages_its_records_by_id_and_changes_nothing(mirror, credentials,
                                                                          clock):
    ams, service, request = one_group(mirror, credentials, clock, [
        RemoteRecord("1", "ann@example.org", "A", "Ann"),
        RemoteRecord("2", "bob@example.org", "I", "Bob"),  # excluded for itself: kept too
        RemoteRecord("3", "cy@example.org", "A", "Cy", remote_opt_out=True),
        RemoteRecord("4", "dee@@example.org", "A"),  # auto-corrected: staged whole each time
    ])
    first = service.run(request)
    assert first.ok and first.counts.members_after == 2
    kept = dict(rows(mirror, "SELECT ams_id, reason FROM synced_record"))
    assert kept == {"1": None, "2": "status_not_accepted", "3": "remote_unsubscribed"}

    before = snapshot(mirror)
    second = service.run(request)
    assert second.ok and (second.counts.added, second.counts.updated) == (0, 0)
    assert ("3 of 4 records are as this bridge last synced them: passed over, not compared "
            "again.",) in rows(mirror, "SELECT message FROM run_log WHERE run_id = :r",
                               r=second.run_id)
    assert snapshot(mirror) == before
    # the exclusions are the run's own, as a whole staging would record them
    assert sorted(rows(mirror, "SELECT ams_id, email, reason FROM exclusion WHERE run_id = :r",
                       r=second.run_id)) == [("2", "bob@example.org", "status_not_accepted"),
                                             ("3", "cy@example.org", "remote_unsubscribed")]

    ams.groups["G"][0] = RemoteRecord("1", "ann@example.org", "A", "Annie")  # one changed
    third = service.run(request)
    assert third.counts.updated == 1
    assert rows(mirror, "SELECT first_name FROM subscriber WHERE email = 'ann@example.org'") == [
        ("Annie",)]


def test_a_subscriber_changed_since_its_last_sync_is_staged_whole_again(mirror, credentials,
                                                                        clock, tmp_path):
    """Seed 000: an upload may change a synced subscriber; the next resync brings the AMS's
    values back, as it did before records were passed over."""
    _, service, request = one_group(mirror, credentials, clock,
                                    [RemoteRecord("1", "ann@example.org", "A", "Ann")])
    assert service.run(request).ok
    (tmp_path / "up.csv").write_text("email,first_name\nann@example.org,Uploaded\n")
    assert upload_csv(mirror, tmp_path / "up.csv", clock).status == "succeeded"
    again = service.run(request)
    assert again.counts.updated == 1
    assert rows(mirror, "SELECT first_name FROM subscriber") == [("Ann",)]


@pytest.mark.parametrize("new_first", [False, True])
def test_a_new_record_with_the_email_of_one_passed_over_is_the_duplicate(mirror, credentials,
                                                                         clock, new_first):
    """Seed 000 / DOMAIN: an email is unique across subscribers. The record that owns the
    email in the mirror wins whether it is passed over or not, and wherever the new one
    comes in the fetch."""
    owner = RemoteRecord("1", "ann@example.org", "A", "Ann")
    ams, service, request = one_group(mirror, credentials, clock, [owner])
    assert service.run(request).ok
    newcomer = RemoteRecord("2", "ANN@example.org", "A", "Other")
    ams.groups["G"] = [newcomer, owner] if new_first else [owner, newcomer]
    second = service.run(request)
    assert second.ok and second.counts.members_after == 1
    assert ("1 of 2 records are as this bridge last synced them: passed over, not compared "
            "again.",) in rows(mirror, "SELECT message FROM run_log WHERE run_id = :r",
                               r=second.run_id)
    assert rows(mirror, "SELECT ams_id, reason, detail FROM exclusion WHERE run_id = :r",
                r=second.run_id) == [("2", "duplicate_email",
                                      "email already belongs to AMS id 1")]
    assert rows(mirror, "SELECT first_name FROM subscriber") == [("Ann",)]


@pytest.mark.postgres_only
def test_a_large_run_leaves_postgresql_statistics_of_what_it_wrote(mirror, credentials, clock,
                                                                   monkeypatch):
    """The next resync is planned against the tables as this one left them, not as autovacuum
    last saw them (an unchanged resync planned against an empty synced_record scanned it once
    per batch). "Large" is lowered here to the group's size; autovacuum is kept off."""
    from informz_console.sync import merge_steps

    tables = ("subscriber", "subscriber_link", "membership", "synced_record")
    with mirror.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            # the test's database may be one an earlier test filled and gave back emptied, its
            # statistics still of those rows: start from the statistics of empty tables
            conn.exec_driver_sql(f"ANALYZE {table}")
    records = [RemoteRecord(str(n), f"m{n}@example.org", "A") for n in range(40)]
    _, service, request = one_group(mirror, credentials, clock, records)

    def estimated() -> dict[str, float]:
        return dict(rows(mirror, "SELECT relname, reltuples FROM pg_class WHERE relname IN "
                                 "('subscriber', 'subscriber_link', 'membership', "
                                 "'synced_record')"))

    monkeypatch.setattr(merge_steps, "ANALYZE_AFTER", 41)
    assert service.run(request).ok
    # a small run leaves the estimates as they were (-1: never analysed; 0: emptied)
    assert all(estimate <= 0 for estimate in estimated().values())
    monkeypatch.setattr(merge_steps, "ANALYZE_AFTER", 40)
    records.append(RemoteRecord("40", "m40@example.org", "A"))
    assert service.run(request).ok
    assert estimated() == dict.fromkeys(tables, 41)


def test_the_digests_are_read_exactly_at_both_ends_of_64_bits():
    """The digests cross to the fetch process as JSON (sync/last_synced): read there by
    orjson, a digest at either end of a BIGINT must come back the same integer, not a float,
    and an id orjson refuses (a lone surrogate, which no mirror stores) still reads."""
    from informz_console.sync.last_synced import LastSynced

    edges = {"low": -(2**63), "high": 2**63 - 1, "ünï": 12345}
    last = LastSynced(b"salt", known_json=json.dumps(edges))
    assert last.split([]) is not None and last._known == edges
    assert all(type(v) is int for v in last._known.values())
    odd = LastSynced(b"salt", known_json='{"\\ud800": 1}')
    odd.split([])
    assert odd._known == {"\ud800": 1}
