"""The Personify360 connector against the sandbox's Personify Data Services on 127.0.0.1: real
HTTP, real OData paging, real HTTP Basic. No mocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from personify_fixtures import (  # noqa: F401
    GENERATED_AT,
    MEMBERS,
    make_connector,
    personify,
    personify_shared,
    personify_template,
)

from informz_console.connectors.base import Connector
from informz_console.connectors.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RemoteDataError,
    UnreachableError,
)
from informz_console.connectors.personify import (
    PersonifyConnector,
    PersonifySettings,
    UnknownCustomerError,
    split_ams_id,
)
from informz_console.connectors.personify_odata import ODataClient, ODataPage
from informz_console.connectors.personify_streams import expanded_pages, key_batches
from informz_console.domain.clock import FixedClock
from informz_console.domain.records import GroupKind

LISTS = ("ALLCUST", "ACTMBR", "NEWSLTR", "CONF25", "STUDENT", "LAPSED", "CORPCON", "BOARD")


def records(stream) -> list:
    return [record for page in stream.pages for record in page]


def scalar(sandbox, sql: str, params: tuple = ()):
    return sandbox.execute(sql, params)[0][0]


def expected_members(sandbox, code: str) -> list[tuple]:
    """(ams_id, email, status, first, last, AllowEmail, AllowSolicitation, DoNotSolicitByEmail)
    of a list's members, in key order, straight from the database."""
    return [
        (f"{m}-{s}", *rest)
        for m, s, *rest in sandbox.execute(
            "SELECT c.MasterCustomerId, c.SubCustomerId, c.PrimaryEmailAddress,"
            " c.CustomerStatusCode, c.FirstName, c.LastName, c.AllowEmail, c.AllowSolicitation,"
            " c.DoNotSolicitByEmail FROM MarketingListMember m JOIN Customer c"
            " ON c.MasterCustomerId = m.MasterCustomerId AND c.SubCustomerId = m.SubCustomerId"
            " WHERE m.ListCode = ? ORDER BY m.MasterCustomerId, m.SubCustomerId",
            (code,),
        )
    ]


class Counting:
    """An http_client_factory: a real httpx.Client that counts the requests it sends."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, timeout_s: float) -> httpx.Client:
        return httpx.Client(
            timeout=timeout_s, event_hooks={"request": [lambda r: self.urls.append(str(r.url))]}
        )


@pytest.fixture
def shared_connector(personify_shared):  # noqa: F811
    with make_connector(personify_shared) as connector:
        yield connector


# -- test, groups, fields ----------------------------------------------------------------------


def test_test_describes_what_answered_in_one_sentence(personify_shared, shared_connector):  # noqa: F811
    assert shared_connector.test() == (
        f"Connected to Personify Data Services at {personify_shared.site_url}: "
        f"2,000 customers, 9 MKT lists."
    )


def test_list_groups_are_the_mkt_lists_with_their_freshness(shared_connector):
    groups = {g.remote_key: g for g in shared_connector.list_groups()}
    assert set(groups) == {*LISTS, "NEWMBR"}
    everyone = groups["ALLCUST"]
    assert (everyone.name, everyone.folder, everyone.kind) == ("All customers", "", GroupKind.QUERY)
    assert everyone.created_at == GENERATED_AT - timedelta(days=900)
    assert everyone.modified_at == GENERATED_AT - timedelta(days=200)
    assert everyone.created_at.tzinfo is not None
    assert everyone.detail == {
        "regeneration_frequency": "Weekly",
        "last_regenerated_on": (GENERATED_AT - timedelta(days=2)).isoformat(),
        "stale": "no",
    }
    # seed 001: "Data pulled into Informz will be up to date as of the last list refresh"
    stale = {code for code, g in groups.items() if g.detail["stale"] == "yes"}
    assert stale == {"NEWSLTR", "LAPSED", "NEWMBR"}
    assert groups["NEWMBR"].detail["last_regenerated_on"] == ""  # never regenerated
    assert groups["BOARD"].detail["regeneration_frequency"] == ""  # no frequency: never stale


def test_staleness_follows_the_connectors_clock(personify_shared):  # noqa: F811
    clock = FixedClock(GENERATED_AT)
    with make_connector(personify_shared, clock=clock) as connector:

        def stale() -> set[str]:
            return {g.remote_key for g in connector.list_groups() if g.detail["stale"] == "yes"}

        assert "ACTMBR" not in stale()  # Daily, regenerated 6 hours ago
        clock.advance(hours=18)
        assert "ACTMBR" not in stale()  # exactly one day: still within its frequency
        clock.advance(seconds=1)
        assert "ACTMBR" in stale()
        clock.advance(days=40)
        assert stale() == {*LISTS, "NEWMBR"} - {"BOARD", "CORPCON", "STUDENT"}


def test_personalization_fields_are_the_pds_personalization_view(shared_connector):
    fields = shared_connector.personalization_fields()
    assert fields[:2] == ["City", "CompanyName"]  # the server's key order
    assert {"FirstName", "LastName", "LabelName", "JoinDate", "CustomerClassCode"} <= set(fields)


# -- group members -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", LISTS)
def test_group_members_are_the_list_members_with_their_customer_info(
    personify_shared,  # noqa: F811
    shared_connector,
    code,
):
    stream = shared_connector.group_members(code)
    got = records(stream)
    expected = expected_members(personify_shared, code)
    assert stream.total == len(expected) > 0
    assert [(r.ams_id, r.email, r.status, r.first_name, r.last_name) for r in got] == [
        e[:5] for e in expected
    ]  # the email exactly as stored, mess included


def test_allow_solicitation_false_forces_allow_email_false(personify_shared, shared_connector):  # noqa: F811
    """Seed 001: "The Allow Solicitation flag will also control the Allow Email flag. If
    Personify360 customers have indicated they do not want to allow solicitation, then they
    consequently will not allow emails." And: "If the flag is set to False, Informz will bring
    over the Personify360 constituent during the sync process. The record will be set as
    Unsubscribed from remote system." So such a customer is in the stream, as a remote opt-out,
    even where the stored Allow Email still says true."""
    got = {r.ams_id: r for r in records(shared_connector.group_members("ALLCUST"))}
    assert len(got) == MEMBERS  # nobody is left out for their flags
    forced = 0
    for ams_id, *_, allow_email, allow_solicitation, do_not_solicit in expected_members(
        personify_shared, "ALLCUST"
    ):
        record = got[ams_id]
        allowed = bool(allow_email and allow_solicitation and not do_not_solicit)
        assert record.remote_opt_out is not allowed, ams_id
        if allow_email and not allow_solicitation:
            forced += 1
            assert record.remote_opt_out
            assert record.fields["AllowEmail"] == "true"
            assert record.fields["AllowSolicitation"] == "false"
    assert forced > 0
    assert 0.05 < sum(r.remote_opt_out for r in got.values()) / MEMBERS < 0.25


def test_flags_changed_in_personify_show_on_the_next_read(personify):  # noqa: F811
    master, sub = personify.execute(
        "SELECT MasterCustomerId, SubCustomerId FROM Customer WHERE AllowEmail = 1"
        " AND AllowSolicitation = 1 AND DoNotSolicitByEmail = 0 LIMIT 1"
    )[0]
    ams_id = f"{master}-{sub}"
    where = " WHERE MasterCustomerId = ? AND SubCustomerId = ?"
    with make_connector(personify) as connector:

        def opted_out() -> bool:
            got = {r.ams_id: r for r in records(connector.group_members("ALLCUST"))}
            return got[ams_id].remote_opt_out

        assert not opted_out()
        personify.execute("UPDATE Customer SET AllowSolicitation = 0" + where, (master, sub))
        assert opted_out()  # Allow Email still true, forced off
        personify.execute(
            "UPDATE Customer SET AllowSolicitation = 1, AllowEmail = 0" + where, (master, sub)
        )
        assert opted_out()
        personify.execute("UPDATE Customer SET AllowEmail = 1" + where, (master, sub))
        assert not opted_out()


def test_records_carry_ids_sub_customers_and_fields(personify_shared, shared_connector):  # noqa: F811
    got = records(shared_connector.group_members("CORPCON"))
    assert all(r.ams_id and r.ams_id.count("-") == 1 for r in got)
    contacts = [r for r in got if r.fields["CustomerClassCode"] == "CONTACT"]
    assert contacts and all(r.company and not r.ams_id.endswith("-0") for r in contacts)
    assert any(r.fields["CustomerClassCode"] != "CONTACT" and r.ams_id.endswith("-1")
               for r in got)  # a household member kept as a sub-customer  # fmt: skip
    company = next(r for r in got if r.ams_id.endswith("-0"))
    assert company.first_name is None and company.fields["RecordType"] == "C"
    assert company.fields["LabelName"] == company.company
    sample = got[0].fields
    assert sample["JoinDate"].count("-") == 2 and "T" not in sample["JoinDate"]  # a date
    assert "ModifiedOn" not in sample and "__metadata" not in sample
    assert set(sample) >= {"AllowEmail", "AllowSolicitation", "DoNotSolicitByEmail"}


def test_both_joins_give_the_same_records(personify_shared):  # noqa: F811
    counting = Counting()
    with (
        make_connector(personify_shared) as expand,
        make_connector(
            personify_shared, member_join="filter", http_client_factory=counting
        ) as filtered,
    ):
        for code in ("ALLCUST", "CORPCON"):
            assert records(filtered.group_members(code)) == records(expand.group_members(code))
    customer_requests = [u for u in counting.urls if "/CustomerInfos?" in u]
    assert len(customer_requests) >= MEMBERS // 60
    assert max(len(u) for u in counting.urls) < 8192  # stays under the IIS-like URL limit



@pytest.mark.parametrize("join", ["expand", "filter"])
def test_group_rows_are_the_members_as_entities_that_make_the_same_records(
    personify_shared, join  # noqa: F811
):
    """What a resync compares (sync/member_rows): (AMS id, entity) tuples without the
    entity's `__metadata` (its URI names the host, not the customer), each making exactly
    the record group_members gives, in the same order."""
    with make_connector(personify_shared, member_join=join) as connector:
        members = records(connector.group_members("ALLCUST"))
        stream = connector.group_rows("ALLCUST")
        rows = records(stream)
    assert stream.to_record is not None and len(rows) == len(members) == MEMBERS
    assert all(type(row) is tuple and "__metadata" not in row[1] for row in rows)
    assert [row[0] for row in rows] == [record.ams_id for record in members]
    assert [stream.to_record(row) for row in rows] == members

def test_key_batches_keep_each_filter_short():
    keys = [(f"{n:012d}", n % 3) for n in range(500)] + [("O'Neil-1", 0)]
    batches = list(key_batches(keys))
    assert [k for batch, _ in batches for k in batch] == keys
    assert all(len(expression) <= 3000 and len(batch) <= 60 for batch, expression in batches)
    assert "(MasterCustomerId eq 'O''Neil-1' and SubCustomerId eq 0)" in batches[-1][1]


def test_pages_follow_next_links_and_never_exceed_page_size(personify):  # noqa: F811
    personify.page_limit = 150
    counting = Counting()
    with make_connector(personify, page_size=100, http_client_factory=counting) as connector:
        stream = connector.group_members("ALLCUST")
        pages = list(stream.pages)
    assert stream.total == MEMBERS
    assert max(len(p) for p in pages) == 100
    assert sum(len(p) for p in pages) == MEMBERS
    member_requests = [u for u in counting.urls if "/MarketingListMembers" in u]
    assert len(member_requests) == -(-MEMBERS // 150)
    assert all("%24skiptoken=" in u or "$skiptoken=" in u for u in member_requests[1:])


def test_cancel_stops_between_pages_and_stops_fetching(personify):  # noqa: F811
    personify.page_limit = 100
    counting = Counting()
    seen: list[list] = []
    with make_connector(personify, page_size=100, http_client_factory=counting) as connector:
        stream = connector.group_members("ALLCUST", cancel=lambda: len(seen) >= 3)
        for page in stream.pages:
            seen.append(page)
    assert [len(p) for p in seen] == [100, 100, 100]
    assert stream.total == MEMBERS
    member_requests = [u for u in counting.urls if "/MarketingListMembers" in u]
    assert len(member_requests) <= 3 + 3  # the pages read plus at most the fetcher's look-ahead


def test_an_abandoned_stream_stops_its_fetcher(personify):  # noqa: F811
    personify.page_limit = 100
    counting = Counting()
    with make_connector(personify, http_client_factory=counting) as connector:
        pages = connector.group_members("ALLCUST").pages
        next(pages)
        pages.close()  # type: ignore[attr-defined]
        requests_then = len(counting.urls)
        assert connector.test()  # the connector is still usable
    assert requests_then <= 1 + 1 + 3  # list lookup, first page, look-ahead


def test_a_member_whose_customer_is_gone_is_skipped(personify):  # noqa: F811
    gone = scalar(personify, "SELECT MIN(MasterCustomerId) FROM MarketingListMember"
                             " WHERE ListCode = 'BOARD'")  # fmt: skip
    personify.execute("DELETE FROM Customer WHERE MasterCustomerId = ?", (gone,))
    for join in ("expand", "filter"):
        with make_connector(personify, member_join=join) as connector:
            stream = connector.group_members("BOARD")
            got = records(stream)
        assert stream.total == 15 and len(got) == 14
        assert f"{gone}-0" not in {r.ams_id for r in got}


def test_unknown_list_is_a_config_error_before_any_member_is_read(personify_shared):  # noqa: F811
    counting = Counting()
    with (
        make_connector(personify_shared, http_client_factory=counting) as connector,
        pytest.raises(ConfigError) as err,
    ):
        connector.group_members("GONE")
    assert str(err.value) == (
        f"The MKT list 'GONE' does not exist in Personify at {personify_shared.site_url}; "
        f"refresh the target group list."
    )
    assert not any("MarketingListMembers" in u for u in counting.urls)
    with make_connector(personify_shared) as connector:
        assert records(connector.group_members("NEWMBR")) == []  # exists, never regenerated
        with pytest.raises(ConfigError, match="'O'Brien's list' does not exist"):
            connector.group_members("O'Brien's list")


def test_a_server_ignoring_expand_is_named():
    page = ODataPage([{"MasterCustomerId": "1", "CustomerInfo": {"__deferred": {"uri": "u"}}}],
                     None, None)  # fmt: skip

    def pages():
        yield page

    with pytest.raises(RemoteDataError, match="set the bridge's member join to 'filter'"):
        list(expanded_pages(pages(), "ALLCUST", 10, "https://p.example.org"))


# -- writebacks --------------------------------------------------------------------------------


def flags(sandbox, ams_id: str) -> tuple:
    master, sub = split_ams_id(ams_id)
    return sandbox.execute(
        "SELECT AllowEmail, AllowSolicitation, DoNotSolicitByEmail, BadEmailFlag FROM Customer"
        " WHERE MasterCustomerId = ? AND SubCustomerId = ?",
        (master, sub),
    )[0]


def test_writebacks_change_the_customers_flags(personify):  # noqa: F811
    master, sub = personify.execute(
        "SELECT MasterCustomerId, SubCustomerId FROM Customer WHERE SubCustomerId > 0"
        " AND AllowEmail = 1 AND AllowSolicitation = 1 AND DoNotSolicitByEmail = 0"
        " AND BadEmailFlag = 0 LIMIT 1"
    )[0]
    ams_id = f"{master}-{sub}"
    when = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    with make_connector(personify) as connector:
        # seed 001: an unsubscribe from the platform sets Do Not Solicit by Email = true
        first = connector.write_back(ams_id, "unsubscribe", "Unsubscribed in Informz", when)
        assert flags(personify, ams_id) == (0, 1, 1, 0)
        got = {r.ams_id: r for r in records(connector.group_members("ALLCUST"))}
        assert got[ams_id].remote_opt_out
        second = connector.write_back(ams_id, "resubscribe", "Resubscribed", when)
        assert flags(personify, ams_id) == (1, 1, 0, 0)
        got = {r.ams_id: r for r in records(connector.group_members("ALLCUST"))}
        assert not got[ams_id].remote_opt_out
        third = connector.write_back(ams_id, "bad_email", "x" * 400, when)
        assert flags(personify, ams_id) == (1, 1, 0, 1)
    assert first < second < third
    rows = personify.execute(
        "SELECT ActivityId, MasterCustomerId, SubCustomerId, Action, Reason, Date"
        " FROM CustomerCommunicationUpdate ORDER BY ActivityId"
    )
    assert [r[0] for r in rows] == [first, second, third]
    assert rows[0][1:] == (master, sub, "unsubscribe", "Unsubscribed in Informz",
                           "2026-03-02 10:30:00")  # fmt: skip
    assert rows[2][4] == "x" * 255  # the reason is cut to the column


def test_a_resubscribe_does_not_override_allow_solicitation(personify):  # noqa: F811
    master, sub = personify.execute(
        "SELECT MasterCustomerId, SubCustomerId FROM Customer WHERE AllowSolicitation = 0 LIMIT 1"
    )[0]
    ams_id = f"{master}-{sub}"
    with make_connector(personify) as connector:
        connector.write_back(ams_id, "resubscribe", "Resubscribed", datetime.now(UTC))
        got = {r.ams_id: r for r in records(connector.group_members("ALLCUST"))}
    assert flags(personify, ams_id)[:3] == (1, 0, 0)
    assert got[ams_id].remote_opt_out  # still forced off by Allow Solicitation (seed 001)


def test_writebacks_for_unknown_customers_or_actions_are_refused(personify):  # noqa: F811
    when = datetime.now(UTC)
    with make_connector(personify) as connector:
        with pytest.raises(UnknownCustomerError) as err:
            connector.write_back("999999999999-0", "unsubscribe", "", when)
        assert str(err.value) == (
            f"Personify at {personify.site_url} has no customer 999999999999-0; the writeback "
            f"cannot be delivered."
        )
        assert not err.value.transient
        for bad in ("000000100001", "000000100001-x", "-0", ""):
            with pytest.raises(UnknownCustomerError, match="is not a Personify customer id"):
                connector.write_back(bad, "unsubscribe", "", when)
        with pytest.raises(ValueError, match="Unknown Personify writeback"):
            connector.write_back("000000100001-0", "delete", "", when)
    assert scalar(personify, "SELECT COUNT(*) FROM CustomerCommunicationUpdate") == 0
    assert split_ams_id(" 000000123456-12 ") == ("000000123456", 12)


# -- settings ----------------------------------------------------------------------------------


def test_settings_round_trip_and_tidy_the_site_url():
    settings = PersonifySettings.from_mapping({
        "site_url": " https://p.example.org/PersonifyDataServices/PersonifyData.svc/ ",
        "username": " pds ", "page_size": "250", "timeout_s": 12, "member_join": "FILTER",
        "unknown_key": "ignored",
    })  # fmt: skip
    assert settings == PersonifySettings("https://p.example.org", "pds", 250, 12.0, "filter")
    assert settings.service_url == "https://p.example.org/PersonifyDataServices/PersonifyData.svc"
    assert PersonifySettings.from_mapping(settings.to_mapping()) == settings
    assert PersonifySettings("http://p", "u").to_mapping() == {
        "site_url": "http://p", "username": "u", "page_size": 1000, "timeout_s": 30.0,
        "member_join": "expand",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"username": "u"}, "The Personify bridge settings have no site url; enter it on the "
                            "bridge page."),
        ({"site_url": "http://p"}, "The Personify bridge settings have no username; enter it on "
                                   "the bridge page."),
        ({"site_url": "p.example.org", "username": "u"}, "The Personify site URL must be a web "
         "address starting with http:// or https://, e.g. https://personify.example.org."),
        ({"site_url": "https://u:secret@p.example.org", "username": "u"}, "The Personify site "
         "URL must not contain a user name or password; enter the user name in its own field, "
         "the bridge keeps the password in the keyring."),
        ({"site_url": "http://p", "username": " "}, "The Personify user name is empty; enter the "
         "Personify Data Services user's name."),
        ({"site_url": "http://p", "username": "u", "page_size": 0}, "The Personify page size "
         "must be a whole number from 1 to 5,000."),
        ({"site_url": "http://p", "username": "u", "page_size": True}, "The Personify page size "
         "must be a whole number from 1 to 5,000."),
        ({"site_url": "http://p", "username": "u", "page_size": "lots"}, "The Personify page "
         "size setting must be a number."),
        ({"site_url": "http://p", "username": "u", "timeout_s": 0}, "The Personify timeout must "
         "be a number of seconds from 0 to 3600."),
        ({"site_url": "http://p", "username": "u", "member_join": "join"}, "The Personify member "
         "join must be 'expand' or 'filter'; use 'filter' only when Personify Data Services "
         "refuses $expand."),
    ],
)  # fmt: skip
def test_settings_problems_are_one_sentence_config_errors(mapping, message):
    with pytest.raises(ConfigError) as err:
        PersonifySettings.from_mapping(mapping)
    assert str(err.value) == message


def test_next_links_are_put_on_the_configured_site():
    client = ODataClient("https://p.example.org", "u", "pw", 5.0)
    try:
        inner = "http://inner-host:8080/PersonifyDataServices/PersonifyData.svc/X?$skiptoken='a'"
        assert client.rebase(inner) == (
            "https://p.example.org/PersonifyDataServices/PersonifyData.svc/X?$skiptoken='a'"
        )
        with pytest.raises(RemoteDataError, match="outside Personify Data Services"):
            client.rebase("https://evil.example.com/steal?x=1")
    finally:
        client.close()


# -- errors ------------------------------------------------------------------------------------


def test_wrong_password_is_an_auth_error_without_the_password(personify_shared):  # noqa: F811
    secret = "Hunter2-not-the-password"
    with make_connector(personify_shared, password=secret) as connector:
        calls = (
            connector.test,
            connector.list_groups,
            lambda: connector.group_members("ALLCUST"),
            lambda: connector.write_back("000000100001-0", "unsubscribe", "", GENERATED_AT),
        )
        for call in calls:
            with pytest.raises(AuthError) as err:
                call()
            assert str(err.value) == (
                f"Personify refused the user name or password for {personify_shared.site_url}."
            )
            assert secret not in str(err.value) and secret not in repr(err.value.args)


def test_server_down_is_unreachable(personify):  # noqa: F811
    with make_connector(personify) as connector:
        personify.stop()
        with pytest.raises(UnreachableError, match="could not be reached") as err:
            connector.group_members("ALLCUST")
        assert err.value.transient


def test_a_site_without_personify_data_services(personify_shared):  # noqa: F811
    with (
        make_connector(personify_shared, site_url=personify_shared.site_url + "/other") as c,
        pytest.raises(ConfigError, match="check that the site URL points at the Personify"),
    ):
        c.test()


@pytest.mark.parametrize(
    ("mode", "error", "text"),
    [
        ("refuse", UnreachableError, "answered 503 Service Unavailable to the members of MKT "
                                     "list 'ALLCUST'; it may be down or restarting"),
        ("garbage", RemoteDataError, "with something that is not OData JSON"),
        ("slow", UnreachableError, "did not answer the members of MKT list 'ALLCUST' within "
                                   "0.3 seconds"),
        ("drop", UnreachableError, "closed the connection before finishing its answer"),
    ],
)  # fmt: skip
def test_faults_become_one_sentence_errors(personify, mode, error, text):  # noqa: F811
    with make_connector(personify, timeout_s=0.3) as connector:
        connector.test()  # the server behaved until now
        personify.set_fault(mode, after_requests=1, slow_s=3.0)  # the list lookup goes through
        with pytest.raises(error, match=text) as err:
            connector.group_members("ALLCUST")
    assert personify.password not in str(err.value)
    assert str(err.value).count(". ") == 0 and str(err.value).endswith(".")


@pytest.mark.parametrize("join", ["expand", "filter"])
def test_a_fault_mid_stream_fails_the_stream(personify, join):  # noqa: F811
    personify.page_limit = 200
    with make_connector(personify, member_join=join) as connector:
        stream = connector.group_members("ALLCUST")
        personify.set_fault("refuse", after_requests=3)
        with pytest.raises(ConnectorError) as err:
            for _ in stream.pages:
                pass
    assert isinstance(err.value, UnreachableError)
    assert personify.password not in str(err.value)


def test_connector_satisfies_the_protocol(shared_connector):
    connector: Connector = shared_connector
    assert connector.kind == "personify"
    assert isinstance(shared_connector, PersonifyConnector)
