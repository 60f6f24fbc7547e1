"""The netFORUM Pro connector against the sandbox's xWeb SOAP server on 127.0.0.1. No mocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from netforum_fixtures import (  # noqa: F401
    EVERYONE,
    MEMBERS,
    execute,
    fault_of,
    make_connector,
    netforum,
    netforum_shared,
    netforum_template,
    parse,
)

from informz_console.connectors.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RemoteDataError,
    UnreachableError,
)
from informz_console.connectors.netforum import (
    WRITEBACK_ACTIONS,
    NetforumConnector,
    NetforumSettings,
    UnknownCustomerError,
)
from informz_console.domain.records import GroupKind

QUERIES = ("All Customers", "Board of Directors", "Chapter East", "Lapsed Members", "New Members")


@pytest.fixture
def shared_connector(netforum_shared):  # noqa: F811
    with make_connector(netforum_shared) as connector:
        yield connector


@pytest.fixture
def connector(netforum):  # noqa: F811
    with make_connector(netforum) as connector:
        yield connector


def records(stream) -> list:
    return [record for page in stream.pages for record in page]


def expected(sandbox, name: str) -> list[tuple]:
    (where,) = sandbox.execute(
        "SELECT WhereSql FROM MessagingJobQuery WHERE QueryName = ?", (name,)
    )[0]
    return sandbox.execute(
        "SELECT CustomerKey, Email, MemberStatus, FirstName, LastName, Company, DoNotEmail"
        f" FROM Customer WHERE {where} ORDER BY RecordNumber"
    )


def methods(sandbox) -> list[str]:
    return [method or operation for operation, method in sandbox.calls]


# -- test, groups, fields ----------------------------------------------------------------------


def test_test_describes_what_answered_in_one_sentence(netforum_shared, shared_connector):  # noqa: F811
    assert shared_connector.test() == (
        f"Connected to netFORUM Pro at {netforum_shared.site_url} as informz_xweb: "
        f"9 messaging job queries."
    )


def test_list_groups_gives_each_messaging_job_query(netforum_shared, shared_connector):  # noqa: F811
    groups = {g.name: g for g in shared_connector.list_groups()}
    assert len(groups) == 9 and "Test query (do not use)" not in groups  # inactive: not listed
    rows = netforum_shared.execute(
        "SELECT QueryName, QueryKey, Folder, CreatedDate, LastUsedDate FROM MessagingJobQuery"
        " WHERE Active = 1"
    )
    for name, key, folder, created, used in rows:
        group = groups[name]
        assert (group.remote_key, group.folder, group.kind) == (key, folder, GroupKind.QUERY)
        assert group.created_at == datetime.fromisoformat(created).replace(tzinfo=UTC)
        want = datetime.fromisoformat(used).replace(tzinfo=UTC).isoformat() if used else ""
        assert group.detail == {"last_used": want}
    assert groups["Chapter East"].folder == "Informz/Chapters"
    assert datetime.now(UTC) - groups["New Members"].created_at < timedelta(days=7)


def test_refreshing_the_list_never_touches_the_counts(netforum, connector):  # noqa: F811
    # seed 003: "Remember, however, that this button does not refresh the counts in each target
    # group" - a list refresh asks for the queries and the personalization fields, nothing else.
    netforum.clear_calls()
    before = (connector.list_groups(), connector.personalization_fields())
    assert methods(netforum) == [
        "Authenticate",
        "GetMessagingJobQueries",
        "GetPersonalizationFields",
    ]
    assert all("count" not in key.lower() for g in before[0] for key in g.detail)
    netforum.execute("DELETE FROM Customer WHERE RecordNumber % 2 = 0")  # members change
    assert (connector.list_groups(), connector.personalization_fields()) == before
    assert "GetQueryMembers" not in methods(netforum)


def test_personalization_fields_come_in_netforums_order(shared_connector):
    fields = shared_connector.personalization_fields()
    assert fields[:3] == ["CustomerKey", "RecordNumber", "FirstName"]
    assert {"Email", "MemberStatus", "Chapter", "JoinDate"} <= set(fields)


# -- group members -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", QUERIES)
def test_group_members_are_the_query_members_as_stored(netforum_shared, shared_connector, name):  # noqa: F811
    stream = shared_connector.group_members(netforum_shared.query_key(name))
    got = records(stream)
    want = expected(netforum_shared, name)
    assert stream.total == len(got) == len(want) > 0
    for record, (key, email, status, first, last, company, do_not_email) in zip(
        got, want, strict=True
    ):
        assert (record.ams_id, record.email, record.status) == (key, email, status)
        assert (record.first_name, record.last_name, record.company) == (first, last, company)
        assert record.remote_opt_out is bool(do_not_email)
        assert record.fields["DoNotEmail"] == str(do_not_email)


def test_everyone_carries_the_mess_untouched(netforum_shared, shared_connector):  # noqa: F811
    got = records(shared_connector.group_members(netforum_shared.query_key(EVERYONE)))
    assert len(got) == MEMBERS
    emails = [r.email for r in got]
    assert None in emails and "" in emails  # NULL and empty stay apart
    assert any(e and "@@" in e for e in emails)
    assert any(e and e != e.strip() for e in emails)
    assert 0.03 < sum(r.remote_opt_out for r in got) / MEMBERS < 0.10  # DoNotEmail
    assert {"Active", "Expired", "Terminated", "Non-member"} <= {r.status for r in got}
    assert any(r.first_name is None and r.company for r in got)  # organizations
    assert any(r.first_name and not r.first_name.isascii() for r in got)
    assert (
        {"RecordNumber", "MemberType", "Chapter", "JoinDate", "DoNotEmail"}
        >= set(got[1].fields)
        >= {"RecordNumber", "Chapter", "DoNotEmail"}
    )


def test_do_not_email_set_in_netforum_is_a_remote_opt_out(netforum, connector):  # noqa: F811
    query = netforum.query_key("Board of Directors")
    member = next(r for r in records(connector.group_members(query)) if not r.remote_opt_out)
    netforum.execute("UPDATE Customer SET DoNotEmail = 1 WHERE CustomerKey = ?", (member.ams_id,))
    again = next(r for r in records(connector.group_members(query)) if r.ams_id == member.ams_id)
    assert again.remote_opt_out is True and again.fields["DoNotEmail"] == "1"


def test_pages_follow_the_page_size(netforum_shared):  # noqa: F811
    with make_connector(netforum_shared, page_size=7) as connector:
        stream = connector.group_members(netforum_shared.query_key("Board of Directors"))
        assert [len(p) for p in stream.pages] == [7, 7, 1]
    with make_connector(netforum_shared, page_size=300) as connector:
        stream = connector.group_members(netforum_shared.query_key(EVERYONE))
        sizes = [len(p) for p in stream.pages]
    assert sizes == [300] * (MEMBERS // 300) + [MEMBERS % 300]


def test_cancel_stops_between_pages(netforum_shared):  # noqa: F811
    seen = []
    with make_connector(netforum_shared, page_size=100) as connector:
        stream = connector.group_members(
            netforum_shared.query_key(EVERYONE), cancel=lambda: len(seen) >= 3
        )
        for page in stream.pages:
            seen.append(page)
        assert [len(p) for p in seen] == [100, 100, 100]
        assert stream.total == MEMBERS
        assert connector.list_groups()  # the connector goes on working after a cancel


def test_cancelled_before_the_first_page_gives_no_pages(netforum_shared, shared_connector):  # noqa: F811
    stream = shared_connector.group_members(
        netforum_shared.query_key(EVERYONE), cancel=lambda: True
    )
    assert list(stream.pages) == [] and stream.total == MEMBERS


def test_unknown_query_key_is_a_config_error(shared_connector):
    with pytest.raises(ConfigError, match=r"The messaging job query 'gone' does not exist"):
        shared_connector.group_members("gone")


# -- the rotating token ------------------------------------------------------------------------


def test_every_call_uses_the_newest_token_and_signs_in_once(netforum, connector):  # noqa: F811
    netforum.clear_calls()
    connector.test()
    tokens = [connector._xweb.token]
    for _ in range(3):
        connector.list_groups()
        tokens.append(connector._xweb.token)
    records(connector.group_members(netforum.query_key("Board of Directors")))
    tokens.append(connector._xweb.token)
    assert len(set(tokens)) == len(tokens)  # a new token after every call
    assert methods(netforum).count("Authenticate") == 1  # never refused: always the newest
    with httpx.Client(timeout=10) as client:  # the sandbox refuses any older one
        stale = execute(client, netforum, "GetPersonalizationFields", tokens[-2])
        assert fault_of(parse(stale))[0] == "InvalidToken"
        assert execute(client, netforum, "GetPersonalizationFields", tokens[-1]).status_code == 200
    # that call moved the chain on behind the connector's back: it signs in again, once
    netforum.clear_calls()
    assert connector.personalization_fields()
    assert methods(netforum) == [
        "GetPersonalizationFields",
        "Authenticate",
        "GetPersonalizationFields",
    ]


def test_an_expired_token_is_renewed_once_for_a_stream_too(netforum, connector):  # noqa: F811
    connector.test()
    netforum.expire_tokens()
    stream = connector.group_members(netforum.query_key(EVERYONE))
    assert len(records(stream)) == MEMBERS
    assert methods(netforum).count("Authenticate") == 2


def test_calls_may_run_while_a_stream_is_read(netforum):  # noqa: F811
    with make_connector(netforum, page_size=100) as connector:
        stream = connector.group_members(netforum.query_key(EVERYONE))
        pages = iter(stream.pages)
        first = next(pages)
        assert connector.write_back(first[0].ams_id, "unsubscribe") is True
        assert len(first) + sum(len(p) for p in pages) == MEMBERS


# -- writebacks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "do_not_email"), [("unsubscribe", True), ("bad_email", True), ("resubscribe", False)]
)
def test_writebacks_set_do_not_email(netforum, connector, action, do_not_email):  # noqa: F811
    key = netforum.execute(
        "SELECT CustomerKey FROM Customer WHERE DoNotEmail = ? LIMIT 1", (0 if do_not_email else 1,)
    )[0][0]
    when = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert connector.write_back(key, action, "Unsubscribed in Informz", when) is do_not_email
    assert netforum.execute("SELECT DoNotEmail FROM Customer WHERE CustomerKey = ?", (key,)) == [
        (int(do_not_email),)
    ]
    assert netforum.execute("SELECT Action, ActionDate, Reason FROM WritebackLog") == [
        (action, "2026-11-02T09:30:00", "Unsubscribed in Informz")
    ]
    everyone = records(connector.group_members(netforum.query_key(EVERYONE)))
    assert next(r for r in everyone if r.ams_id == key).remote_opt_out is do_not_email


def test_writeback_dates_are_sent_in_utc(netforum, connector):  # noqa: F811
    key = netforum.execute("SELECT MIN(CustomerKey) FROM Customer")[0][0]
    eastern = datetime(2026, 11, 2, 1, 0, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    connector.write_back(key, "unsubscribe", "", eastern)
    connector.write_back(key, "resubscribe", "", date(2026, 11, 3))
    assert netforum.execute("SELECT ActionDate FROM WritebackLog ORDER BY Id") == [
        ("2026-11-02T01:00:00",),
        ("2026-11-03T00:00:00",),
    ]


def test_writeback_to_an_unknown_customer_says_so(connector):
    with pytest.raises(UnknownCustomerError, match="no customer with the key 'nobody'"):
        connector.write_back("nobody", "unsubscribe", "x")


def test_an_unknown_writeback_action_is_a_programming_error(connector):
    assert WRITEBACK_ACTIONS == ("unsubscribe", "resubscribe", "bad_email")
    with pytest.raises(ValueError, match="Unknown netFORUM writeback action"):
        connector.write_back("k", "iUNSUB", "x")


# -- errors ------------------------------------------------------------------------------------

WRONG = "Wrong-Password-913"


def test_a_wrong_password_is_an_auth_error_without_the_password(netforum_shared):  # noqa: F811
    with make_connector(netforum_shared, password=WRONG) as connector:
        for call in (connector.test, connector.list_groups):
            with pytest.raises(AuthError) as caught:
                call()
            assert str(caught.value) == (
                f"netFORUM at {netforum_shared.site_url} refused the user name or password for "
                f"informz_xweb; check them on the bridge page."
            )
            assert WRONG not in str(caught.value) and WRONG not in repr(caught.value)


def test_a_stopped_server_is_unreachable(netforum):  # noqa: F811
    with make_connector(netforum) as connector:
        connector.test()
        netforum.stop()
        with pytest.raises(UnreachableError, match="could not be reached") as caught:
            connector.list_groups()
    assert caught.value.transient


@pytest.mark.parametrize(
    ("mode", "error", "text"),
    [
        ("refuse", UnreachableError, "answered 503"),
        ("garbage", RemoteDataError, "malformed XML"),
        ("drop", UnreachableError, "closed the connection"),
    ],
)
def test_server_faults_become_clear_errors(netforum, mode, error, text):  # noqa: F811
    with make_connector(netforum) as connector:
        connector.test()
        netforum.set_fault(mode)
        with pytest.raises(error, match=text) as caught:
            connector.list_groups()
        with pytest.raises(error, match=text):
            connector.group_members(netforum.query_key(EVERYONE))
    assert netforum.password not in str(caught.value)


def test_a_slow_server_times_out(netforum):  # noqa: F811
    with make_connector(netforum, timeout_s=0.3) as connector:
        connector.test()
        netforum.set_fault("slow", slow_s=2.0)
        with pytest.raises(UnreachableError, match="within 0.3 seconds"):
            connector.list_groups()


def test_a_connection_dropped_mid_stream_fails_the_stream(netforum):  # noqa: F811
    with make_connector(netforum, page_size=50) as connector:
        connector.test()
        netforum.set_fault("drop", drop_after_bytes=150_000)
        stream = connector.group_members(netforum.query_key(EVERYONE))
        got = []
        with pytest.raises(UnreachableError, match="closed the connection"):
            for page in stream.pages:
                got.extend(page)
        assert 0 < len(got) < MEMBERS
        netforum.fail_mode = None
        assert len(records(connector.group_members(netforum.query_key(EVERYONE)))) == MEMBERS


def test_a_site_without_xweb_is_a_config_error(netforum):  # noqa: F811
    settings = NetforumSettings(netforum.site_url + "/other", netforum.username, timeout_s=5)
    with (
        NetforumConnector(settings, netforum.password) as connector,
        pytest.raises(ConfigError, match=r"no xWeb service .* \(404\); check the site URL"),
    ):
        connector.test()


def test_errors_are_connector_errors_of_one_sentence(netforum):  # noqa: F811
    with (
        make_connector(netforum, password=WRONG) as connector,
        pytest.raises(ConnectorError) as caught,
    ):
        connector.list_groups()
    text = str(caught.value)
    assert text.endswith(".") and text.count(". ") == 0 and "\n" not in text


# -- settings ----------------------------------------------------------------------------------


def test_settings_round_trip_and_accept_a_pasted_xweb_address():
    settings = NetforumSettings.from_mapping(
        {
            "site_url": " https://example.netforumpro.com/xweb/secure/netForumXML.asmx?WSDL ",
            "username": " informz ",
            "page_size": "250",
            "timeout_s": 12,
            "unknown": "ignored",
        }
    )
    assert settings.site_url == "https://example.netforumpro.com"
    assert settings.endpoint_url == "https://example.netforumpro.com/xweb/secure/netForumXML.asmx"
    assert settings.wsdl_url.endswith("netForumXML.asmx?WSDL")
    assert settings.to_mapping() == {
        "site_url": "https://example.netforumpro.com",
        "username": "informz",
        "page_size": 250,
        "timeout_s": 12.0,
    }
    assert NetforumSettings.from_mapping(settings.to_mapping()) == settings


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"username": "u"}, "have no site url"),
        ({"site_url": "https://x.org"}, "have no username"),
        ({"site_url": "ftp://x.org", "username": "u"}, "must be a web address"),
        ({"site_url": "https://x.org", "username": "  "}, "user name is empty"),
        ({"site_url": "https://x.org", "username": "u", "page_size": 0}, "page size"),
        ({"site_url": "https://x.org", "username": "u", "page_size": "many"}, "must be a number"),
        ({"site_url": "https://x.org", "username": "u", "timeout_s": -1}, "timeout"),
    ],
)
def test_bad_settings_are_one_sentence_config_errors(mapping, message):
    with pytest.raises(ConfigError, match=message) as caught:
        NetforumSettings.from_mapping(mapping)
    assert str(caught.value).endswith(".")
