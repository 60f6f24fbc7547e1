"""The iDSS connector against the sandbox REST server on 127.0.0.1. No mocks.

Seed 002 (iDSS syncing) is the source: distribution lists sync to interest-based target groups in
real time; a deactivated contact leaves the target group; contacts carry the platform's
"Informz code" after a sync; a failed contact shows the call and the system error; sync is
one-way except for that code.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime

import pytest
from idss_fixtures import MEMBERS, idss, idss_shared, idss_template, make_connector  # noqa: F401

from informz_console.connectors.base import Connector, MemberStream
from informz_console.connectors.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RemoteDataError,
    UnreachableError,
)
from informz_console.connectors.idss import (
    ChangeBatch,
    ContactSyncError,
    IdssChange,
    IdssChangeKind,
    IdssConnector,
    IdssSettings,
    SentRequest,
)
from informz_console.domain.records import GroupKind
from informz_console.sandbox.idss import BOARD_LIST, EVERYONE_LIST

EVERYONE = str(EVERYONE_LIST)
BOARD = str(BOARD_LIST)


@pytest.fixture
def shared_connector(idss_shared):  # noqa: F811
    with make_connector(idss_shared) as connector:
        yield connector


@pytest.fixture
def connector(idss):  # noqa: F811
    with make_connector(idss) as connector:
        yield connector


def member_ids(sandbox, list_id: int | str) -> list[str]:
    rows = sandbox.execute(
        "SELECT contact_id FROM list_contacts WHERE list_id = ? ORDER BY contact_id",
        (int(list_id),),
    )
    return [str(i) for (i,) in rows]


def active_ids(sandbox, count: int) -> list[int]:
    rows = sandbox.execute("SELECT id FROM contacts WHERE active = 1 ORDER BY id LIMIT ?", (count,))
    return [i for (i,) in rows]


def records(stream: MemberStream) -> list:
    return [record for page in stream.pages for record in page]


def read_changes(batch: ChangeBatch) -> list[IdssChange]:
    return [change for page in batch.pages for change in page]


def wait_for(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


# -- test, lists, fields -----------------------------------------------------------------------


def test_test_describes_what_answered_in_one_sentence(idss_shared, shared_connector):  # noqa: F811
    assert shared_connector.test() == (
        f"Connected to iDSS at {idss_shared.site_url}: 6 distribution lists, the largest with "
        f"2,000 contacts."
    )


def test_distribution_lists_are_interest_based_target_groups(shared_connector):
    # seed 002: "creates a corresponding interest-based target group in Informz"
    groups = {g.remote_key: g for g in shared_connector.list_groups()}
    assert set(groups) == {"1", "2", "3", "4", "5", "6"}
    assert all(g.kind is GroupKind.INTEREST for g in groups.values())
    everyone, events = groups[EVERYONE], groups["4"]
    assert (everyone.name, everyone.folder) == ("All Contacts", "")
    assert (events.name, events.folder) == ("Annual Conference 2025", "Events")
    assert everyone.created_at == datetime(2015, 1, 5, 9, tzinfo=UTC)
    assert events.modified_at.tzinfo is UTC
    assert everyone.detail == {"contact_count": str(MEMBERS)}
    assert groups[BOARD].detail == {"contact_count": "15"}


def test_personalization_fields_are_the_contact_fields(shared_connector):
    assert shared_connector.personalization_fields() == [
        "first_name", "last_name", "company", "email"
    ]  # fmt: skip


# -- members -----------------------------------------------------------------------------------


@pytest.mark.parametrize("list_id", ["1", "2", "3", "4", "5", "6"])
def test_group_members_are_the_lists_contacts(idss_shared, shared_connector, list_id):  # noqa: F811
    stream = shared_connector.group_members(list_id)
    got = records(stream)
    expected = member_ids(idss_shared, list_id)
    assert stream.total == len(expected) > 0
    assert [r.ams_id for r in got] == expected


def test_contacts_are_cursor_paged_by_page_size(idss_shared):  # noqa: F811
    with make_connector(idss_shared, page_size=7) as connector:
        assert [len(p) for p in connector.group_members(BOARD).pages] == [7, 7, 1]
    with make_connector(idss_shared, page_size=97) as connector:
        stream = connector.group_members(EVERYONE)
        pages = list(stream.pages)
    assert stream.total == MEMBERS and len(pages) == math.ceil(MEMBERS / 97)
    assert [r.ams_id for p in pages for r in p] == member_ids(idss_shared, EVERYONE)


def test_contacts_carry_the_mess_and_the_deactivated_flag(idss_shared, shared_connector):  # noqa: F811
    # seed 002: "When a contact record ... is deactivated in iDSS, Informz also removes the
    # contact record from the target group": the connector flags it, the sync removes it
    got = {r.ams_id: r for r in records(shared_connector.group_members(EVERYONE))}
    rows = idss_shared.execute("SELECT id, email, active, first_name, company FROM contacts")
    for contact_id, email, active, first, company in rows:
        record = got[str(contact_id)]
        assert record.email == email  # exactly as stored: '', None, ' x@y.org', 'x@@y.org'
        assert record.deactivated is (not active)
        assert record.first_name == (first or None) and record.company == (company or None)
        assert record.status is None and record.fields == {} and not record.remote_opt_out
    deactivated = [r for r in got.values() if r.deactivated]
    assert 0.03 * MEMBERS < len(deactivated) < 0.1 * MEMBERS


def test_cancel_stops_between_pages(idss_shared):  # noqa: F811
    seen = []
    with make_connector(idss_shared, page_size=100) as connector:
        stream = connector.group_members(EVERYONE, cancel=lambda: len(seen) >= 3)
        for page in stream.pages:
            seen.append(page)
    assert [len(p) for p in seen] == [100, 100, 100]
    assert stream.total == MEMBERS


def test_an_abandoned_stream_can_be_closed(idss_shared):  # noqa: F811
    with make_connector(idss_shared, page_size=50) as connector:
        stream = connector.group_members(EVERYONE)
        assert len(next(stream.pages)) == 50
        stream.pages.close()
        assert len(records(connector.group_members(BOARD))) == 15


def test_unknown_list_is_a_config_error(shared_connector):
    with pytest.raises(ConfigError, match="distribution list 99 does not exist"):
        shared_connector.group_members("99")


# -- the change feed ("real time", seed 002) ---------------------------------------------------


def test_changes_read_the_whole_feed_up_to_its_head(idss_shared):  # noqa: F811
    head = idss_shared.latest_seq()
    with make_connector(idss_shared, page_size=9) as connector:
        pages, next_since = connector.changes(0)
        pages = list(pages)
        assert connector.latest_seq() == head
    assert next_since == head
    assert all(len(p) <= 9 for p in pages) and len(pages) == math.ceil(head / 9)
    changes = [c for p in pages for c in p]
    assert [c.seq for c in changes] == list(range(1, head + 1))
    deactivated = [c for c in changes if c.kind is IdssChangeKind.DEACTIVATED]
    assert deactivated and all(c.contact.deactivated for c in deactivated)
    assert all(EVERYONE in c.list_ids for c in changes)


def test_a_change_made_in_idss_comes_through_the_feed(idss, connector):  # noqa: F811
    # seed 002: "Any changes made in customer records or to distribution lists also sync"
    start = connector.latest_seq()
    contact = member_ids(idss, 3)[0]
    old = idss.contact(int(contact))["email"]
    idss.change_contact(int(contact), email="moved@example.org", remove_lists=[3])
    new = idss.add_contact("new@example.org", first_name="New", lists=[EVERYONE_LIST, 5])
    batch = connector.changes(start)
    changes = read_changes(batch)
    assert batch.next_since == start + 3
    assert [(c.kind, c.contact.ams_id, c.list_ids) for c in changes] == [
        (IdssChangeKind.UPDATED, contact, changes[0].list_ids),
        (IdssChangeKind.LIST_REMOVED, contact, ("3",)),
        (IdssChangeKind.CREATED, str(new), ("1", "5")),
    ]
    # DOMAIN, iDSS: "Changing a contact's email creates a new subscriber" - the old one is told
    assert changes[0].old_email == old and changes[0].contact.email == "moved@example.org"
    assert "3" in changes[0].list_ids  # its lists when the email changed
    assert changes[2].contact.first_name == "New" and changes[2].changed_at.tzinfo is UTC
    assert read_changes(connector.changes(batch.next_since)) == []


def test_changes_after_the_head_wait_for_the_next_read(idss):  # noqa: F811
    start = idss.latest_seq()
    contacts = active_ids(idss, 6)
    for contact in contacts[:3]:
        idss.change_contact(contact, active=False)  # one 'deactivated' entry each
    with make_connector(idss, page_size=2) as connector:
        batch = connector.changes(start)
        first = next(batch.pages)
        for contact in contacts[3:]:
            idss.change_contact(contact, active=False)
        rest = [c for page in batch.pages for c in page]
        assert [c.seq for c in first + rest] == [start + 1, start + 2, start + 3]
        assert batch.next_since == start + 3
        later = read_changes(connector.changes(batch.next_since))
    assert [c.seq for c in later] == [start + 4, start + 5, start + 6]
    assert [c.contact.ams_id for c in later] == [str(c) for c in contacts[3:]]


def test_changes_can_be_cancelled_between_pages(idss):  # noqa: F811
    seen = []
    with make_connector(idss, page_size=5) as connector:
        batch = connector.changes(0, cancel=lambda: len(seen) >= 2)
        for page in batch.pages:
            seen.append(page)
    assert [len(p) for p in seen] == [5, 5]


def test_a_feed_behind_the_console_asks_for_a_resync(idss_shared, shared_connector):  # noqa: F811
    ahead = idss_shared.latest_seq() + 50
    with pytest.raises(RemoteDataError, match="resync the distribution lists"):
        shared_connector.changes(ahead)


def test_follow_sees_a_change_made_on_the_sandbox(idss, connector):  # noqa: F811
    seen: list[IdssChange] = []
    stop = threading.Event()
    start = connector.latest_seq()
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(connector.follow(start, seen.append, stop, poll_s=0.05))
    )
    worker.start()
    try:
        (contact,) = active_ids(idss, 1)
        idss.change_contact(contact, active=False)
        wait_for(lambda: len(seen) == 1)
        idss.recheck_list(contact, EVERYONE_LIST)  # seed 002: forces a resync of the contact
        wait_for(lambda: len(seen) == 3)
    finally:
        stop.set()
        worker.join(timeout=5)
    assert not worker.is_alive()
    assert [c.kind for c in seen] == [
        IdssChangeKind.DEACTIVATED,
        IdssChangeKind.LIST_REMOVED,
        IdssChangeKind.LIST_ADDED,
    ]
    assert all(c.contact.ams_id == str(contact) and c.contact.deactivated for c in seen)
    assert result == [start + 3]


def test_follow_reports_errors_and_carries_on(idss, connector):  # noqa: F811
    errors: list[ConnectorError] = []
    seen: list[IdssChange] = []
    stop = threading.Event()
    start = connector.latest_seq()
    worker = threading.Thread(
        target=connector.follow,
        args=(start, seen.append, stop, 0.05),
        kwargs={"on_error": errors.append},
    )
    idss.set_fault("refuse")
    worker.start()
    try:
        wait_for(lambda: len(errors) >= 2)
        idss.fail_mode = None
        idss.change_contact(int(member_ids(idss, EVERYONE)[0]), company="Elsewhere Inc")
        wait_for(lambda: len(seen) == 1)
    finally:
        stop.set()
        worker.join(timeout=5)
    assert all(isinstance(e, UnreachableError) for e in errors)
    assert seen[0].contact.company == "Elsewhere Inc"


def test_follow_without_on_error_raises(idss, connector):  # noqa: F811
    idss.set_fault("garbage")
    with pytest.raises(RemoteDataError, match="not JSON"):
        connector.follow(0, lambda change: None, threading.Event(), poll_s=0.01)


# -- the informz code writeback (seed 002: the only write to iDSS) -----------------------------


def test_write_informz_code_patches_only_the_code(idss, connector):  # noqa: F811
    # seed 002: "Contacts in iDSS update with the Informz subscriber ID after the sync occurs"
    contact = member_ids(idss, EVERYONE)[0]
    start = idss.latest_seq()
    connector.write_informz_code(contact, "IZ-778899")
    (patch,) = idss.patches()
    assert (patch.method, patch.path, patch.body, patch.status) == (
        "PATCH",
        f"/api/v1/contacts/{contact}",
        '{"informz_code":"IZ-778899"}',
        200,
    )
    assert idss.contact(int(contact))["informz_code"] == "IZ-778899"
    assert idss.latest_seq() == start  # our own write does not echo back through the feed
    first = next(connector.group_members(EVERYONE).pages)[0]
    assert first.ams_id == contact and first.fields == {"informz_code": "IZ-778899"}


def test_a_failing_contact_gives_the_call_and_the_system_error(idss, connector):  # noqa: F811
    # seed 002: "a contact is highlighted in red ... SoftOps can check the XML call and system
    # error to resolve the error"
    good, bad = member_ids(idss, EVERYONE)[:2]
    system_error = "Violation of UNIQUE KEY constraint 'UQ_Subscriber_Email' (SQL 2627)."
    idss.fail_patch(int(bad), system_error)
    with pytest.raises(ContactSyncError) as err:
        connector.write_informz_code(bad, "IZ-2")
    connector.write_informz_code(good, "IZ-1")  # one contact's failure is that contact's only
    error = err.value
    assert error.request == SentRequest("PATCH", f"/api/v1/contacts/{bad}",
                                        '{"informz_code":"IZ-2"}')  # fmt: skip
    assert error.request.json == {"informz_code": "IZ-2"}
    assert error.system_error == system_error
    assert (error.contact_id, error.status, error.transient) == (bad, 500, True)
    assert str(error) == (
        f"iDSS did not save the Informz code of contact {bad} (it answered 500: Violation of "
        f"UNIQUE KEY constraint 'UQ_Subscriber_Email' (SQL 2627))."
    )
    assert isinstance(error, ConnectorError)
    for text in (str(error), str(error.request), repr(error.request.to_mapping())):
        assert idss.api_key not in text
    assert idss.contact(int(bad))["informz_code"] is None
    assert idss.contact(int(good))["informz_code"] == "IZ-1"


def test_a_refused_or_unknown_contact_is_a_contact_error_not_worth_retrying(idss, connector):  # noqa: F811
    contact = member_ids(idss, EVERYONE)[0]
    idss.fail_patch(int(contact), "Contact is locked by another user.", status=409)
    with pytest.raises(ContactSyncError) as locked:
        connector.write_informz_code(contact, "IZ-1")
    with pytest.raises(ContactSyncError) as unknown:
        connector.write_informz_code("1", "IZ-1")
    assert (locked.value.status, locked.value.transient) == (409, False)
    assert locked.value.system_error == "Contact is locked by another user."
    assert unknown.value.status == 404 and "does not exist" in unknown.value.system_error
    assert unknown.value.request.path == "/api/v1/contacts/1"


def test_the_sandbox_refuses_any_other_field(idss):  # noqa: F811
    # seed 002: "this is a one-way street": the connector has no way to send another field, and
    # the sandbox would refuse it if anything did
    import httpx

    contact = member_ids(idss, EVERYONE)[0]
    with httpx.Client(headers={"X-Api-Key": idss.api_key}) as client:
        response = client.patch(f"{idss.api_url}/contacts/{contact}", json={"email": "x@y.org"})
    assert response.status_code == 400
    assert idss.patches()[-1].error.startswith("Only informz_code can be changed")


def test_connection_faults_on_the_writeback_are_not_contact_errors(idss, connector):  # noqa: F811
    contact = member_ids(idss, EVERYONE)[0]
    idss.set_fault("refuse")
    with pytest.raises(UnreachableError, match="answered 503"):
        connector.write_informz_code(contact, "IZ-1")
    idss.set_fault("garbage")
    with pytest.raises(RemoteDataError, match="not JSON"):
        connector.write_informz_code(contact, "IZ-1")
    assert idss.patches() == []  # none reached the API


# -- errors: one sentence, never the key -------------------------------------------------------


def test_a_wrong_api_key_is_an_auth_error_without_the_key(idss_shared):  # noqa: F811
    secret = "not-the-key-5b9e"
    with make_connector(idss_shared, api_key=secret) as connector:
        for call in (connector.test, lambda: connector.group_members(EVERYONE),
                     lambda: connector.changes(0),
                     lambda: connector.write_informz_code("500001", "IZ")):  # fmt: skip
            with pytest.raises(AuthError) as err:
                call()
            assert str(err.value) == (
                f"iDSS at {idss_shared.site_url} refused the API key; enter the bridge's current "
                f"iDSS API key."
            )
            assert secret not in str(err.value) and secret not in repr(err.value.args)


def test_server_down_is_unreachable(idss, connector):  # noqa: F811
    idss.stop()
    with pytest.raises(UnreachableError, match="could not be reached") as err:
        connector.group_members(EVERYONE)
    assert err.value.transient


@pytest.mark.parametrize(
    ("mode", "error", "text"),
    [
        ("refuse", UnreachableError, "answered 503"),
        ("garbage", RemoteDataError, "not JSON"),
        ("slow", UnreachableError, "did not answer within 0.3 seconds"),
        ("drop", UnreachableError, "closed the connection"),
    ],
)
def test_faults_become_one_sentence_errors_without_the_key(idss, mode, error, text):  # noqa: F811
    with make_connector(idss, timeout_s=0.3) as connector:
        idss.set_fault(mode, slow_s=2.0)
        for call in (connector.list_groups, lambda: connector.group_members(EVERYONE),
                     lambda: connector.changes(0)):  # fmt: skip
            with pytest.raises(error, match=text) as err:
                call()
            message = str(err.value)
            assert idss.api_key not in message
            assert message.endswith(".") and message.count(". ") == 0


def test_a_connection_dropped_mid_stream_fails_the_stream(idss):  # noqa: F811
    with make_connector(idss, page_size=100) as connector:
        stream = connector.group_members(EVERYONE)
        idss.set_fault("drop", after_requests=2)
        with pytest.raises(UnreachableError):
            for _ in stream.pages:
                pass


def test_a_wrong_site_url_says_so(idss_shared):  # noqa: F811
    wrong = idss_shared.site_url + "/other"
    with (
        make_connector(idss_shared, site_url=wrong) as connector,
        pytest.raises(ConfigError, match="check the bridge's site URL") as err,
    ):
        connector.test()
    assert "/other/api/v1" in str(err.value)
    with (
        make_connector(idss_shared, site_url="http://127.0.0.1:9") as connector,
        pytest.raises(UnreachableError, match="could not be reached"),
    ):
        connector.list_groups()


# -- settings ----------------------------------------------------------------------------------


def test_settings_round_trip_and_take_the_api_address_too(idss_shared):  # noqa: F811
    settings = IdssSettings.from_mapping(idss_shared.bridge_settings(page_size="250"))
    assert settings.page_size == 250
    assert IdssSettings.from_mapping(settings.to_mapping()) == settings
    assert settings.to_mapping() == {
        "site_url": idss_shared.site_url,
        "page_size": 250,
        "timeout_s": 10.0,
    }
    pasted = IdssSettings(idss_shared.api_url + "/")
    assert pasted.site_url == idss_shared.site_url and pasted.api_url == idss_shared.api_url
    assert IdssSettings.from_mapping({"site_url": "https://x.org", "extra": 1}).page_size == 500


@pytest.mark.parametrize(
    ("mapping", "text"),
    [
        ({}, "have no site URL"),
        ({"site_url": "ftp://x.org"}, "must be a web address"),
        ({"site_url": "x.org"}, "must be a web address"),
        ({"site_url": "https://x.org?key=1"}, "must not carry a query"),
        ({"site_url": "https://x.org", "page_size": 0}, "from 1 to 1,000"),
        ({"site_url": "https://x.org", "page_size": 1001}, "from 1 to 1,000"),
        ({"site_url": "https://x.org", "page_size": "many"}, "page size setting must be a number"),
        ({"site_url": "https://x.org", "page_size": 2.5}, "page size setting must be a number"),
        ({"site_url": "https://x.org", "timeout_s": 0}, "timeout must be a number of seconds"),
        ({"site_url": "https://x.org", "timeout_s": "soon"}, "timeout setting must be a number"),
    ],
)
def test_bad_settings_are_one_sentence_config_errors(mapping, text):
    with pytest.raises(ConfigError, match=text) as err:
        IdssSettings.from_mapping(mapping)
    assert str(err.value).endswith(".")


def test_connector_satisfies_the_protocol(shared_connector):
    connector: Connector = shared_connector
    assert connector.kind == "idss"
    assert isinstance(shared_connector, IdssConnector)
