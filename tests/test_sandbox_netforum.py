"""The netFORUM sandbox: a deterministic, realistically messy customer base, messaging job
queries in folders, and an xWeb SOAP 1.1 server with rotating tokens that fails on demand."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import zeep
import zeep.exceptions
from lxml import etree
from netforum_fixtures import (  # noqa: F401
    EVERYONE,
    MEMBERS,
    NS,
    authenticate,
    execute,
    execute_envelope,
    fault_of,
    netforum,
    netforum_shared,
    netforum_template,
    parse,
    rows_of,
    token_of,
)

from informz_console.sandbox.netforum import DB_NAME, NetforumSandbox
from informz_console.sandbox.netforum_data import generate
from informz_console.sandbox.netforum_methods import MEMBER_COLUMNS

TABLES = ("Customer", "MessagingJobQuery", "PersonalizationField")


def dump(path, table: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def scalar(sandbox: NetforumSandbox, sql: str, params: tuple = ()):
    return sandbox.execute(sql, params)[0][0]


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def signed_in(client, sandbox) -> str:
    response = authenticate(client, sandbox)
    assert response.status_code == 200
    return token_of(parse(response))


# -- the database ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_data_and_another_seed_does_not(tmp_path):
    now = datetime(2026, 1, 5, tzinfo=UTC)
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate(tmp_path / f"{name}.db", members=300, seed=seed, now=now)
    for table in TABLES:
        assert dump(tmp_path / "a.db", table) == dump(tmp_path / "b.db", table), table
    assert dump(tmp_path / "a.db", "Customer") != dump(tmp_path / "c.db", "Customer")


def test_the_mess_of_a_real_netforum_is_there_at_realistic_rates(netforum_shared):  # noqa: F811
    sb = netforum_shared

    def share(where: str) -> float:
        return scalar(sb, f"SELECT COUNT(*) FROM Customer WHERE {where}") / MEMBERS

    assert 0.03 < share("DoNotEmail = 1") < 0.10
    assert 0.03 < share("Email IS NULL OR Email = ''") < 0.08
    assert share("Email IS NULL") > 0
    assert 0.004 < share("Email <> '' AND Email NOT LIKE '%@%'") < 0.03  # no @
    assert share("TRIM(Email) LIKE '% %'") > 0  # a space inside
    assert share("Email LIKE '%@@%'") > 0  # fixable: x@@y.org
    assert share("Email <> TRIM(Email)") > 0  # fixable: surrounding spaces
    assert share("Email LIKE '%.'") > 0  # fixable: trailing dot
    assert 0.62 < share("MemberStatus = 'Active'") < 0.78
    statuses = {s for (s,) in sb.execute("SELECT DISTINCT MemberStatus FROM Customer")}
    assert {"Active", "Grace Period", "Expired", "Terminated", "Non-member"} <= statuses
    assert 0.03 < share("CustomerType = 'Organization' AND FirstName IS NULL") < 0.09
    shared = sb.execute(
        "SELECT LOWER(TRIM(Email)), COUNT(*), COUNT(DISTINCT Email) FROM Customer"
        " WHERE Email LIKE '%@%' GROUP BY 1 HAVING COUNT(*) > 1"
    )
    assert shared, "two customers share an address"
    assert any(distinct > 1 for _, _, distinct in shared), "shared in a different case"
    names = [n for (n,) in sb.execute("SELECT FirstName || LastName FROM Customer") if n]
    assert any(not n.isascii() for n in names), "a few unicode names"
    keys = [k for (k,) in sb.execute("SELECT CustomerKey FROM Customer")]
    assert len(set(keys)) == MEMBERS and all(len(k) == 36 and k == k.lower() for k in keys)


def test_messaging_job_queries_sit_in_folders_and_one_has_everyone(netforum_shared):  # noqa: F811
    sb = netforum_shared
    rows = sb.execute("SELECT QueryName, Folder, Active, WhereSql FROM MessagingJobQuery")
    listed = {name: folder for name, folder, active, _ in rows if active}
    assert len(listed) == 9
    assert {"Informz", "Informz/Chapters", "Informz/Events", "Archive/2024"} <= set(listed.values())
    assert listed[EVERYONE] == "Informz"
    assert [n for n, _, active, _ in rows if not active] == ["Test query (do not use)"]
    for name, _, _, where in rows:
        count = scalar(sb, f"SELECT COUNT(*) FROM Customer WHERE {where}")
        assert (count == MEMBERS) == (name == EVERYONE), name
        assert count > 0, name
    created = dict(sb.execute("SELECT QueryName, CreatedDate FROM MessagingJobQuery"))
    new = datetime.fromisoformat(created["New Members"]).replace(tzinfo=UTC)
    assert datetime.now(UTC) - new < timedelta(days=7)  # dates follow the clock
    assert scalar(sb, "SELECT COUNT(*) FROM MessagingJobQuery WHERE LastUsedDate IS NULL") >= 2


def test_open_without_a_database_and_urls_before_start_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="No netFORUM sandbox database"):
        NetforumSandbox.open(tmp_path)
    (tmp_path / DB_NAME).touch()
    with pytest.raises(RuntimeError, match="not running"):
        _ = NetforumSandbox.open(tmp_path).site_url


# -- WSDL --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["WSDL", "wsdl"])
def test_the_wsdl_is_served_and_names_this_endpoint(netforum_shared, client, query):  # noqa: F811
    response = client.get(f"{netforum_shared.endpoint_url}?{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.get("targetNamespace") == NS
    soap = "{http://schemas.xmlsoap.org/wsdl/soap/}"
    assert root.find(f".//{soap}address").get("location") == netforum_shared.endpoint_url


def test_zeep_reads_the_wsdl_and_signs_in_with_it(netforum_shared):  # noqa: F811
    sb = netforum_shared
    soap = zeep.Client(sb.wsdl_url)
    result = soap.service.Authenticate(userName=sb.username, password=sb.password)
    token = result.header.AuthorizationToken.Token
    assert result.body.AuthenticateResult == NS and len(token) == 32
    answer = soap.service.ExecuteMethod(
        serviceName="InformzSync",
        methodName="GetPersonalizationFields",
        _soapheaders={"AuthorizationToken": {"Token": token}},
    )
    fresh = answer.header.AuthorizationToken.Token
    assert fresh != token
    results = answer.body.ExecuteMethodResult._value_1
    assert results.tag == "Results" and int(results.get("recordReturn")) == len(results) > 5


def test_other_paths_are_not_found(netforum_shared, client):  # noqa: F811
    assert client.get(f"{netforum_shared.site_url}/xweb/other.asmx").status_code == 404
    assert client.get(netforum_shared.endpoint_url).status_code == 200  # the help page


# -- tokens ------------------------------------------------------------------------------------


def test_each_call_answers_a_new_token_and_the_previous_one_is_refused(netforum_shared, client):  # noqa: F811
    sb = netforum_shared
    first = signed_in(client, sb)
    answer = execute(client, sb, "GetPersonalizationFields", first)
    assert answer.status_code == 200
    second = token_of(parse(answer))
    assert second and second != first
    stale = execute(client, sb, "GetPersonalizationFields", first)
    assert stale.status_code == 500
    assert fault_of(parse(stale)) == ("InvalidToken", "Invalid Token Value.")
    third = token_of(parse(execute(client, sb, "GetPersonalizationFields", second)))
    assert third not in (first, second)
    missing = execute(client, sb, "GetPersonalizationFields", None)
    assert fault_of(parse(missing))[0] == "InvalidToken"


def test_a_fault_leaves_the_token_as_it_was(netforum_shared, client):  # noqa: F811
    sb = netforum_shared
    token = signed_in(client, sb)
    unknown = execute(client, sb, "GetQueryMembers", token, QueryKey="no-such-query")
    assert fault_of(parse(unknown)) == (
        "UnknownQuery",
        "Messaging job query 'no-such-query' was not found.",
    )
    assert token_of(parse(unknown)) is None
    assert execute(client, sb, "GetMessagingJobQueries", token).status_code == 200


def test_two_sign_ins_have_token_chains_of_their_own(netforum_shared, client):  # noqa: F811
    sb = netforum_shared
    one, two = signed_in(client, sb), signed_in(client, sb)
    one_next = token_of(parse(execute(client, sb, "GetPersonalizationFields", one)))
    assert execute(client, sb, "GetPersonalizationFields", two).status_code == 200
    assert execute(client, sb, "GetPersonalizationFields", one_next).status_code == 200


def test_wrong_credentials_are_a_fault_that_does_not_echo_them(netforum_shared, client):  # noqa: F811
    response = authenticate(client, netforum_shared, password="Secret-Guess-42")
    assert response.status_code == 500
    assert fault_of(parse(response)) == ("InvalidCredentials", "Invalid user name or password.")
    assert b"Secret-Guess-42" not in response.content


def test_expired_tokens_are_refused(netforum, client):  # noqa: F811
    token = signed_in(client, netforum)
    netforum.expire_tokens()
    assert fault_of(parse(execute(client, netforum, "GetPersonalizationFields", token)))[0] == (
        "InvalidToken"
    )


def test_unknown_service_method_and_parameters_are_faults(netforum_shared, client):  # noqa: F811
    sb = netforum_shared
    token = signed_in(client, sb)
    body = execute_envelope("GetPersonalizationFields", {}, token)
    wrong = body.replace(b"InformzSync", b"OtherService")
    answer = client.post(sb.endpoint_url, content=wrong, headers={"Content-Type": "text/xml"})
    assert fault_of(parse(answer))[0] == "UnknownService"
    assert fault_of(parse(execute(client, sb, "DropTables", token)))[0] == "UnknownMethod"
    assert fault_of(parse(execute(client, sb, "GetQueryMembers", token)))[0] == "BadParameter"
    garbled = client.post(sb.endpoint_url, content=b"<not-soap", headers={"SOAPAction": ""})
    assert fault_of(parse(garbled))[0] == "BadRequest"


# -- methods -----------------------------------------------------------------------------------


def test_messaging_job_queries_are_listed_without_counts(netforum_shared, client):  # noqa: F811
    sb = netforum_shared
    rows = rows_of(parse(execute(client, sb, "GetMessagingJobQueries", signed_in(client, sb))))
    assert len(rows) == 9
    assert {"QueryKey", "QueryName", "Folder", "CreatedDate"} <= set(rows[0])
    assert all("Count" not in "".join(row) for row in rows)  # seed 003: no counts on refresh
    assert [(r["Folder"], r["QueryName"]) for r in rows] == sorted(
        (r["Folder"], r["QueryName"]) for r in rows
    )


def test_query_members_are_streamed_in_chunks_with_every_row(netforum_shared, client):  # noqa: F811
    sb = netforum_shared
    key = sb.query_key(EVERYONE)
    answer = execute(client, sb, "GetQueryMembers", signed_in(client, sb), QueryKey=key)
    assert answer.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in answer.headers
    root = parse(answer)
    assert int(root.find(".//Results").get("recordReturn")) == MEMBERS
    rows = rows_of(root)
    expected = sb.execute(f"SELECT {', '.join(MEMBER_COLUMNS)} FROM Customer ORDER BY RecordNumber")
    assert len(rows) == MEMBERS
    for row, values in zip(rows, expected, strict=True):
        want = {c: "" if v is None else str(v) for c, v in zip(MEMBER_COLUMNS, values, strict=True)}
        assert {c: row.get(c, "") for c in MEMBER_COLUMNS} == want
        assert all(
            (c in row) == (v is not None) for c, v in zip(MEMBER_COLUMNS, values, strict=True)
        )


def test_markup_characters_in_values_are_escaped(netforum, client):  # noqa: F811
    record = scalar(netforum, "SELECT MIN(RecordNumber) FROM Customer WHERE Board = 1")
    netforum.execute(
        "UPDATE Customer SET Company = ?, Email = ? WHERE RecordNumber = ?",
        ("R&D <Labs>", " a&b@x.org ", record),
    )
    token = signed_in(client, netforum)
    key = netforum.query_key("Board of Directors")
    rows = rows_of(parse(execute(client, netforum, "GetQueryMembers", token, QueryKey=key)))
    mine = next(r for r in rows if r["RecordNumber"] == str(record))
    assert (mine["Company"], mine["Email"]) == ("R&D <Labs>", " a&b@x.org ")


@pytest.mark.parametrize(
    ("action", "flag"), [("unsubscribe", 1), ("bad_email", 1), ("resubscribe", 0)]
)
def test_writeback_sets_do_not_email(netforum, client, action, flag):  # noqa: F811
    key, before = netforum.execute(
        "SELECT CustomerKey, DoNotEmail FROM Customer WHERE DoNotEmail = ? LIMIT 1", (1 - flag,)
    )[0]
    token = signed_in(client, netforum)
    answer = execute(
        client, netforum, "WriteBack", token, CustomerKey=key.upper(), Action=action,
        Date="2026-11-02T14:00:00", Reason="Unsubscribed in Informz",
    )  # fmt: skip
    assert rows_of(parse(answer)) == [
        {"CustomerKey": key, "Action": action, "DoNotEmail": str(flag),
         "ActionDate": "2026-11-02T14:00:00"}
    ]  # fmt: skip
    assert scalar(netforum, "SELECT DoNotEmail FROM Customer WHERE CustomerKey = ?", (key,)) == flag
    assert netforum.execute("SELECT CustomerKey, Action, Reason, DoNotEmail FROM WritebackLog") == [
        (key, action, "Unsubscribed in Informz", flag)
    ]


def test_writeback_faults(netforum, client):  # noqa: F811
    token = signed_in(client, netforum)
    unknown = execute(
        client, netforum, "WriteBack", token, CustomerKey="0000", Action="unsubscribe"
    )
    assert fault_of(parse(unknown)) == ("UnknownCustomer", "Customer '0000' was not found.")
    key = scalar(netforum, "SELECT MIN(CustomerKey) FROM Customer")
    bad = execute(client, netforum, "WriteBack", token, CustomerKey=key, Action="delete")
    assert fault_of(parse(bad))[0] == "BadParameter"
    assert netforum.execute("SELECT COUNT(*) FROM WritebackLog") == [(0,)]


# -- fault switches ----------------------------------------------------------------------------


def test_refuse_answers_503_after_the_requests_let_through(netforum, client):  # noqa: F811
    netforum.set_fault("refuse", after_requests=1)
    assert authenticate(client, netforum).status_code == 200
    assert authenticate(client, netforum).status_code == 503
    netforum.fail_mode = None
    assert authenticate(client, netforum).status_code == 200


def test_garbage_is_malformed_xml(netforum, client):  # noqa: F811
    netforum.set_fault("garbage")
    response = authenticate(client, netforum)
    assert response.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)


def test_slow_answers_late(netforum):  # noqa: F811
    netforum.set_fault("slow", slow_s=2.0)
    with httpx.Client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        authenticate(impatient, netforum)


def test_drop_cuts_a_streamed_answer_short(netforum, client):  # noqa: F811
    token = signed_in(client, netforum)
    netforum.set_fault("drop", drop_after_bytes=20_000)
    with pytest.raises(httpx.RemoteProtocolError):
        execute(client, netforum, "GetQueryMembers", token, QueryKey=netforum.query_key(EVERYONE))


def test_unknown_fail_mode_is_refused(netforum):  # noqa: F811
    with pytest.raises(ValueError, match="Unknown fail mode"):
        netforum.set_fault("explode")


def test_stop_really_stops(netforum, client):  # noqa: F811
    url = netforum.wsdl_url
    assert client.get(url).status_code == 200
    netforum.stop()
    with pytest.raises(httpx.ConnectError):
        client.get(url)
