"""The reads behind the Sync logs and Subscriber look-up tabs, without Qt: run ids for the sync
log's filters, a run's exclusion rows, the writeback outbox, and one subscriber's page
(seed 000: "Why isn't my target group count what I think it should be?")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mirror_helpers import add_bridge, rows
from sqlalchemy.orm import Session
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.store.queries.run_rows import (
    RunFilter,
    exclusion_ids,
    exclusions_by_id,
    filter_choices,
    run_ids,
)
from informz_console.store.queries.runs import list_runs, runs_by_id
from informz_console.store.queries.subscriber import (
    excluded_records,
    search_subscribers,
    showcase_subscriber,
    subscriber_card,
)
from informz_console.store.queries.writebacks import (
    state_counts,
    writeback_ids,
    writebacks_by_id,
    writebacks_of_subscriber,
)
from informz_console.sync.outbox import enqueue, mark_error
from informz_console.sync.requests import SyncKind, SyncRequest, Trigger
from informz_console.sync.service import SyncService

MEMBERS, BOARD = "$/Test/Members", "$/Test/Board"


@pytest.fixture
def log(mirror, credentials, clock):
    """Run 1 (manual) resyncs Members; a day later run 2 (nightly) resyncs Board; run 3
    (manual) fails half-way through Members."""
    ams = StaticAms(groups={
        MEMBERS: [R("1", "ann@example.org", "A"), R("2", "bob@example.org", "A"),
                  R("3", "cy@example.org", "S"), R("4", "bad-address", "A"),
                  R("5", "dave@example.org", "A")],
        BOARD: [R("1", "ann@example.org", "A"), R("3", "cy@example.org", "S"),
                R("5", "dave@example.org", "S")],
    })  # fmt: skip
    add_bridge(mirror, clock, groups=(MEMBERS, BOARD))
    credentials.set("bridge:imis:iMIS", "pw")
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda bridge, creds: StaticConnector(ams))
    assert service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, MEMBERS)).ok
    clock.advance(hours=24)
    assert service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, BOARD,
                                   trigger=Trigger.NIGHTLY)).ok
    clock.advance(hours=1)
    ams.fail_after_pages = 1
    assert not service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, MEMBERS)).ok
    return mirror


def ids(engine, **wanted) -> list[int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return run_ids(session, RunFilter(**wanted))


def test_run_ids_are_newest_first_and_each_filter_narrows_them(log, clock):
    assert ids(log) == [3, 2, 1]
    assert ids(log, status="failed") == [3]
    assert ids(log, status="succeeded") == [2, 1]
    assert ids(log, trigger="nightly") == [2]
    assert ids(log, since=clock.now() - timedelta(hours=2)) == [3, 2]
    assert ids(log, bridge="imis") == [3, 2, 1]  # bridge names compare case-insensitively
    assert ids(log, bridge="Personify") == []
    assert ids(log, trigger="manual", status="succeeded") == [1]


def test_the_search_takes_a_run_id_or_words_of_its_error_group_or_log(log):
    assert ids(log, text="#2") == [2]
    assert ids(log, text="1") == [1]
    assert ids(log, text="DROPPED the connection") == [3]  # the error, any case
    assert ids(log, text="board") == [2]  # the target group
    assert ids(log, text="nothing like this") == []


def test_rows_by_id_are_the_sync_logs_rows(log):
    with Session(log) as session:
        by_id = runs_by_id(session, [1, 3, 99])
        listed = {r.id: r for r in list_runs(session)}
    assert set(by_id) == {1, 3}
    assert by_id[1] == listed[1]
    assert (by_id[1].fetched, by_id[1].added, by_id[1].excluded) == (5, 3, 2)
    assert by_id[3].status == "failed" and "dropped the connection" in by_id[3].error


def test_filter_choices_name_the_bridges_and_the_triggers_in_the_log(log):
    with Session(log) as session:
        choices = filter_choices(session)
    assert choices.bridges == ["iMIS"]
    assert choices.triggers == ["manual", "nightly"]
    assert "failed" in choices.statuses and "interrupted" in choices.statuses


def test_a_runs_exclusion_rows_by_reason(log):
    with Session(log) as session:
        every = exclusion_ids(session, 1)
        status = exclusion_ids(session, 1, "status_not_accepted")
        (row,) = exclusions_by_id(session, status).values()
    assert len(every) == 2
    assert (row.ams_id, row.email, row.reason_label) == ("3", "cy@example.org",
                                                         "Status not accepted")
    assert "S" in row.detail


def test_key_lists_come_in_batches_in_the_querys_order(log, monkeypatch):
    """The lazy tables' key lists are read off the driver in batches (store/queries/key_lists.py:
    the window stays live while a job reads a million keys): same ids, same order."""
    from sqlalchemy import select

    from informz_console.store.models import SyncRun
    from informz_console.store.queries import key_lists

    monkeypatch.setattr(key_lists, "KEY_CHUNK", 2)
    query = select(SyncRun.id).order_by(SyncRun.id.desc())
    with Session(log) as session:
        expected = list(session.scalars(query))
        got = key_lists.id_array(session, query)
    assert len(expected) >= 3 and list(got) == expected
    assert got.typecode == "q"  # 8 bytes an id, not a Python int object


# -- the writeback outbox ------------------------------------------------------------------------

def _subscriber_id(engine, email: str) -> int:  # type: ignore[no-untyped-def]
    return rows(engine, "SELECT id FROM subscriber WHERE email_key = :e", e=email)[0][0]


@pytest.fixture
def outbox(log, clock):
    ann = _subscriber_id(log, "ann@example.org")
    with log.begin() as conn:
        enqueue(conn, bridge_id=1, subscriber_id=ann, type="iOPTOUT", key="iOPTOUT:1:1",
                payload={"ams_id": "1"}, now=clock.now())
        enqueue(conn, bridge_id=1, subscriber_id=None, type="iCORRECT", key="iCORRECT:1:4",
                payload={"ams_id": "4", "corrected": "fixed@example.org"}, now=clock.now())
    (first,) = rows(log, "SELECT id FROM writeback WHERE key = 'iOPTOUT:1:1'")[0]
    mark_error(log, first, clock.now(), "iMIS refused the Activity row.", transient=False)
    return log


def test_writebacks_filtered_by_state_bridge_and_text(outbox):
    with Session(outbox) as session:
        every = writeback_ids(session)
        failed = writeback_ids(session, state="failed")
        by_ams_id = writeback_ids(session, text=":4")
        by_error = writeback_ids(session, text="refused")
        none = writeback_ids(session, bridge="Personify")
        counts = state_counts(session)
        shown = writebacks_by_id(session, every)
    assert len(every) == 2 and none == []
    assert failed == by_error
    assert shown[failed[0]].email == "ann@example.org"
    assert shown[failed[0]].last_error == "iMIS refused the Activity row."
    assert shown[by_ams_id[0]].email == "fixed@example.org"  # no subscriber: the payload's
    assert counts == {"ready": 1, "processing": 0, "sent": 0, "failed": 1}


def test_writebacks_of_one_subscriber(outbox):
    with Session(outbox) as session:
        found = writebacks_of_subscriber(session, _subscriber_id(outbox, "ann@example.org"))
    assert [(w.type, w.state, w.attempts) for w in found] == [("iOPTOUT", "failed", 1)]


# -- one subscriber ------------------------------------------------------------------------------

def test_search_finds_exact_email_or_ams_id_first_then_partial_matches(log):
    with Session(log) as session:
        assert [h.email for h in search_subscribers(session, "ANN@example.org")] == [
            "ann@example.org"]
        assert [h.email for h in search_subscribers(session, "2")] == ["bob@example.org"]
        assert [h.email for h in search_subscribers(session, "example.org")] == [
            "ann@example.org", "bob@example.org", "dave@example.org"]
        assert search_subscribers(session, "zz") == []


def test_a_subscribers_card_holds_status_links_groups_and_choices(log):
    with Session(log) as session:
        card = subscriber_card(session, _subscriber_id(log, "ann@example.org"))
    assert card is not None
    assert (card.email, card.status) == ("ann@example.org", "active")
    assert [(link.bridge, link.ams_id) for link in card.links] == [("iMIS", "1")]
    assert [(g.name, g.added_run_id) for g in card.groups] == [("Board", 2), ("Members", 1)]
    assert [g.label for g in card.choices] == ["iMIS / Board", "iMIS / Members"]


def test_excluded_records_come_from_each_groups_latest_successful_resync(log):
    with Session(log) as session:
        cy = excluded_records(session, "cy@example.org")
        bad = excluded_records(session, "4")
    assert [(r.group.name, r.run_id, r.reason) for r in cy] == [
        ("Board", 2, "status_not_accepted"), ("Members", 1, "status_not_accepted")]
    assert [(r.email, r.reason) for r in bad] == [("bad-address", "invalid_email")]


def test_the_showcase_is_a_member_excluded_from_another_group(log):
    with Session(log) as session:
        shown = showcase_subscriber(session)
    assert shown is not None
    assert (shown.email, shown.group_id) == ("dave@example.org", 2)  # Board excluded dave
