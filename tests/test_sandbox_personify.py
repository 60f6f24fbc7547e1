"""The Personify sandbox: a deterministic, realistically messy customer base with MKT lists, and a
Personify Data Services (OData v2) server with HTTP Basic auth, server-driven paging, a writeback
endpoint and fault switches. Real HTTP on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from personify_fixtures import (  # noqa: F401
    GENERATED_AT,
    MEMBERS,
    personify,
    personify_shared,
    personify_template,
)

from informz_console.sandbox.personify import DB_NAME, PersonifySandbox
from informz_console.sandbox.personify_data import MKT_LISTS, generate
from informz_console.sandbox.personify_entities import ENTITY_SETS
from informz_console.sandbox.personify_filter import FilterParser, ODataError

TABLES = ("Customer", "MarketingList", "MarketingListMember", "PersonalizationField",
          "Sandbox_ListRule")  # fmt: skip


def dump(path, table: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def scalar(sandbox: PersonifySandbox, sql: str, params: tuple = ()):
    return sandbox.execute(sql, params)[0][0]


@pytest.fixture
def client(personify_shared):  # noqa: F811
    with httpx.Client(auth=(personify_shared.username, personify_shared.password), timeout=10) as c:
        yield c


@pytest.fixture
def own_client(personify):  # noqa: F811
    with httpx.Client(auth=(personify.username, personify.password), timeout=10) as c:
        yield c


def get(client: httpx.Client, sandbox: PersonifySandbox, path: str, **params) -> httpx.Response:
    return client.get(f"{sandbox.service_url}/{path}", params=params)


def all_pages(client: httpx.Client, sandbox, path: str, **params) -> tuple[list[dict], list[str]]:
    """Every row through __next, and the next links followed."""
    body = get(client, sandbox, path, **params).json()["d"]
    rows, links = list(body["results"]), []
    while body.get("__next"):
        links.append(body["__next"])
        body = client.get(body["__next"]).json()["d"]
        rows += body["results"]
    return rows, links


# -- the database ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_data_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate(tmp_path / f"{name}.db", members=400, seed=seed, now=GENERATED_AT)
    for table in TABLES:
        assert dump(tmp_path / "a.db", table) == dump(tmp_path / "b.db", table), table
    assert dump(tmp_path / "a.db", "Customer") != dump(tmp_path / "c.db", "Customer")
    assert len(dump(tmp_path / "a.db", "Customer")) == 400


def test_the_mess_of_a_real_personify_is_there_at_realistic_rates(personify_shared):  # noqa: F811
    sb = personify_shared

    def share(where: str) -> float:
        return scalar(sb, f"SELECT COUNT(*) FROM Customer WHERE {where}") / MEMBERS

    assert scalar(sb, "SELECT COUNT(*) FROM Customer") == MEMBERS
    email = "PrimaryEmailAddress"
    assert 0.03 < share(f"{email} IS NULL OR {email} = ''") < 0.10
    assert share(f"{email} IS NULL") > 0
    assert share(f"{email} <> '' AND {email} NOT LIKE '%@%'") > 0  # no @
    assert share(f"TRIM({email}) LIKE '% %'") > 0  # a space inside
    assert share(f"{email} LIKE '%@@%'") > 0  # fixable
    assert share(f"{email} <> TRIM({email})") > 0  # fixable: surrounding spaces
    shared = sb.execute(
        f"SELECT LOWER(TRIM({email})), COUNT(*), COUNT(DISTINCT {email}) FROM Customer"
        f" WHERE {email} LIKE '%@%' GROUP BY 1 HAVING COUNT(*) > 1"
    )
    assert shared, "customers share an address"
    assert any(distinct > 1 for _, _, distinct in shared), "shared in a different case"
    # seed 001: Allow Solicitation = false forces Allow Email = false; the stored Allow Email
    # of most such customers still says true, which is what the connector must see through
    assert 0.01 < share("AllowSolicitation = 0") < 0.08
    assert share("AllowSolicitation = 0 AND AllowEmail = 1") > 0
    assert 0.03 < share("AllowSolicitation = 1 AND AllowEmail = 0") < 0.12
    assert share("DoNotSolicitByEmail = 1") > 0
    assert share("SubCustomerId > 0") > 0.02  # sub-customers
    assert share("RecordType = 'C' AND FirstName IS NULL") > 0.01  # companies
    statuses = {s for (s,) in sb.execute("SELECT DISTINCT CustomerStatusCode FROM Customer")}
    assert statuses == {"ACTIVE", "INACTIVE", "SUSPENDED", "DECEASED"}
    ids = [m for (m,) in sb.execute("SELECT DISTINCT MasterCustomerId FROM Customer")]
    assert all(len(m) == 12 and m.isdigit() for m in ids)


def test_mkt_lists_one_huge_some_stale_one_never_regenerated(personify_shared):  # noqa: F811
    sb = personify_shared
    counts = dict(sb.execute("SELECT ListCode, COUNT(*) FROM MarketingListMember GROUP BY 1"))
    assert counts["ALLCUST"] == MEMBERS  # every customer
    assert "NEWMBR" not in counts  # MKT510 never ran: no members yet
    assert len(MKT_LISTS) == 9 and all(counts.get(m.code, 0) > 0 for m in MKT_LISTS[:-1])
    rows = {
        code: (freq, regenerated)
        for code, freq, regenerated in sb.execute(
            "SELECT ListCode, RegenerationFrequency, LastRegeneratedOn FROM MarketingList"
        )
    }
    assert rows["NEWMBR"] == ("Weekly", None)
    assert rows["BOARD"][0] is None

    def age(code: str) -> timedelta:
        return GENERATED_AT - datetime.fromisoformat(rows[code][1]).replace(tzinfo=UTC)

    assert rows["NEWSLTR"][0] == "Daily" and age("NEWSLTR") == timedelta(days=3)  # stale
    assert rows["LAPSED"][0] == "Monthly" and age("LAPSED") == timedelta(days=45)  # stale
    assert age("ACTMBR") == timedelta(hours=6)


def test_members_are_a_snapshot_until_the_list_is_regenerated(personify):  # noqa: F811
    before = scalar(personify, "SELECT COUNT(*) FROM MarketingListMember WHERE ListCode='LAPSED'")
    personify.execute("UPDATE Customer SET CustomerStatusCode = 'INACTIVE'")
    assert before == scalar(
        personify, "SELECT COUNT(*) FROM MarketingListMember WHERE ListCode = 'LAPSED'"
    )
    when = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    assert personify.regenerate("LAPSED", when) == MEMBERS
    assert personify.regenerate("NEWMBR", when) > 0
    assert scalar(
        personify, "SELECT LastRegeneratedOn FROM MarketingList WHERE ListCode = 'NEWMBR'"
    ) == ("2026-04-01 12:00:00")
    with pytest.raises(KeyError):
        personify.regenerate("NOPE")


def test_open_and_site_url_explain_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError):
        PersonifySandbox.open(tmp_path)
    generate(tmp_path / DB_NAME, members=10)
    sandbox = PersonifySandbox.open(tmp_path)
    with pytest.raises(RuntimeError, match="start"):
        _ = sandbox.site_url
    with sandbox:
        assert sandbox.service_url.endswith("/PersonifyDataServices/PersonifyData.svc")
        assert sandbox.bridge_settings(page_size=7)["page_size"] == 7


# -- HTTP Basic --------------------------------------------------------------------------------


def test_every_request_needs_http_basic_with_the_right_password(personify_shared):  # noqa: F811
    sb = personify_shared
    url = f"{sb.service_url}/MarketingLists"
    with httpx.Client(timeout=10) as c:
        missing = c.get(url)
        assert missing.status_code == 401
        assert missing.headers["WWW-Authenticate"].startswith("Basic")
        assert c.get(url, auth=(sb.username, "wrong")).status_code == 401
        assert c.get(url, auth=("someone", sb.password)).status_code == 401
        assert c.get(url, headers={"Authorization": "Basic !!not-base64"}).status_code == 401
        assert c.get(url, headers={"Authorization": "Bearer x"}).status_code == 401
        assert c.get(url, auth=(sb.username.upper(), sb.password)).status_code == 200
        write = c.post(f"{sb.service_url}/CustomerCommunicationUpdates", json={})
        assert write.status_code == 401


def test_service_document_and_metadata(personify_shared, client):  # noqa: F811
    sets = get(client, personify_shared, "").json()["d"]["EntitySets"]
    assert set(sets) == set(ENTITY_SETS)
    metadata = get(client, personify_shared, "$metadata")
    assert metadata.headers["content-type"].startswith("application/xml")
    assert b'EntitySet Name="MarketingListMembers"' in metadata.content
    assert client.get(f"{personify_shared.site_url}/elsewhere").status_code == 404


# -- reading: paging, $filter, $select, $expand ------------------------------------------------


def test_server_driven_paging_covers_a_list_through_next_links(personify, own_client):  # noqa: F811
    personify.page_limit = 300
    rows, links = all_pages(
        own_client, personify, "MarketingListMembers", **{"$filter": "ListCode eq 'ALLCUST'"}
    )
    expected = personify.execute(
        "SELECT MasterCustomerId, SubCustomerId FROM Customer ORDER BY 1, 2"
    )
    assert [(r["MasterCustomerId"], r["SubCustomerId"]) for r in rows] == expected
    assert len(links) == -(-MEMBERS // 300) - 1
    query = parse_qs(urlsplit(links[0]).query)
    assert query["$filter"] == ["ListCode eq 'ALLCUST'"]
    assert query["$skiptoken"][0].startswith("'ALLCUST','")
    assert links[0].startswith(personify.service_url)


def test_first_page_counts_and_pages_hold_at_most_the_limit(personify, own_client):  # noqa: F811
    personify.page_limit = 500
    body = get(own_client, personify, "CustomerInfos", **{"$inlinecount": "allpages"}).json()["d"]
    assert body["__count"] == str(MEMBERS)
    assert len(body["results"]) == 500 and "__next" in body


def test_top_and_skip(personify, own_client):  # noqa: F811
    personify.page_limit = 1000
    keys = [r["MasterCustomerId"] for r in all_pages(own_client, personify, "CustomerInfos")[0]]
    five = get(own_client, personify, "CustomerInfos", **{"$top": "5"}).json()["d"]
    assert [r["MasterCustomerId"] for r in five["results"]] == keys[:5] and "__next" not in five
    skipped = get(own_client, personify, "CustomerInfos", **{"$skip": "10", "$top": "3"})
    assert [r["MasterCustomerId"] for r in skipped.json()["d"]["results"]] == keys[10:13]
    rows, links = all_pages(own_client, personify, "CustomerInfos", **{"$top": "1500"})
    assert len(rows) == 1500 and len(links) == 1
    assert parse_qs(urlsplit(links[0]).query)["$top"] == ["500"]
    rows, _ = all_pages(own_client, personify, "CustomerInfos", **{"$skip": "1990"})
    assert [r["MasterCustomerId"] for r in rows] == keys[1990:]


def test_paging_is_stable_across_sub_customers(personify, own_client):  # noqa: F811
    # page boundaries that fall inside a master's sub-customers lose or repeat nobody
    personify.page_limit = 7
    rows, _ = all_pages(own_client, personify, "MarketingListMembers",
                        **{"$filter": "ListCode eq 'CORPCON'"})  # fmt: skip
    keys = [(r["MasterCustomerId"], r["SubCustomerId"]) for r in rows]
    assert (
        len(keys)
        == len(set(keys))
        == scalar(personify, "SELECT COUNT(*) FROM MarketingListMember WHERE ListCode = 'CORPCON'")
    )


@pytest.mark.parametrize(
    ("expression", "where"),
    [
        ("ListCode eq 'BOARD'", None),
        ("MasterCustomerId eq '{m}'", "MasterCustomerId = '{m}'"),
        ("AllowSolicitation eq false and AllowEmail", "AllowSolicitation = 0 AND AllowEmail = 1"),
        ("not AllowEmail or SubCustomerId gt 0", "AllowEmail = 0 OR SubCustomerId > 0"),
        ("PrimaryEmailAddress eq null", "PrimaryEmailAddress IS NULL"),
        ("startswith(LastName, 'Sm') and CustomerStatusCode ne 'ACTIVE'",
         "LastName LIKE 'Sm%' AND CustomerStatusCode <> 'ACTIVE'"),
        ("substringof('@@', PrimaryEmailAddress)", "PrimaryEmailAddress LIKE '%@@%'"),
        ("tolower(State) eq 'il' and (City eq 'Springfield' or City eq 'Nowhere')",
         "State = 'IL' AND City = 'Springfield'"),
        ("JoinDate ge datetime'2025-01-01T00:00:00'", "JoinDate >= '2025-01-01'"),
    ],
)  # fmt: skip
def test_filter_selects_what_sql_selects(personify_shared, client, expression, where):  # noqa: F811
    sb = personify_shared
    master = scalar(sb, "SELECT MIN(MasterCustomerId) FROM Customer WHERE SubCustomerId > 0")
    if where is None:
        path, key = "MarketingListMembers", "MarketingListMember WHERE ListCode = 'BOARD'"
        expected = sb.execute(f"SELECT MasterCustomerId, SubCustomerId FROM {key} ORDER BY 1, 2")
    else:
        path = "CustomerInfos"
        expected = sb.execute(
            f"SELECT MasterCustomerId, SubCustomerId FROM Customer"
            f" WHERE {where.format(m=master)} ORDER BY 1, 2"
        )
    rows, _ = all_pages(client, sb, path, **{"$filter": expression.format(m=master)})
    assert [(r["MasterCustomerId"], r["SubCustomerId"]) for r in rows] == expected
    assert expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("Bogus eq 1", "No property 'Bogus' exists in type 'PersonifyDataModel.CustomerInfo'"),
        ("LastName eq", "ends where a value was expected"),
        ("LastName eq 'x' and", "ends where a value was expected"),
        ("LastName eq 'x' 'y'", "Syntax error near ''y''"),
        ("LastName", "not a Boolean expression"),
        ("LastName eq 'unterminated", "Syntax error"),
        ("frobnicate(LastName)", "Unknown function"),
        ("LastName gt null", "Only 'eq' and 'ne' can compare with null"),
    ],
)
def test_bad_filters_are_400_with_an_odata_error(personify_shared, client, expression, message):  # noqa: F811
    response = client.get(
        f"{personify_shared.service_url}/CustomerInfos", params={"$filter": expression}
    )
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]["value"]


def test_a_url_over_the_limit_is_refused_like_iis_does(personify_shared, client):  # noqa: F811
    expression = " or ".join(f"MasterCustomerId eq '{n:012d}'" for n in range(300))
    response = client.get(
        f"{personify_shared.service_url}/CustomerInfos", params={"$filter": expression}
    )
    assert response.status_code == 414


def test_select_and_expand(personify_shared, client):  # noqa: F811
    sb = personify_shared
    body = get(client, sb, "CustomerInfos", **{"$select": "FirstName,AllowEmail", "$top": "2"})
    row = body.json()["d"]["results"][0]
    assert set(row) == {"__metadata", "FirstName", "AllowEmail"}
    assert isinstance(row["AllowEmail"], bool)
    assert row["__metadata"]["type"] == "PersonifyDataModel.CustomerInfo"
    assert "CustomerInfos(MasterCustomerId='" in row["__metadata"]["uri"]
    plain = get(client, sb, "MarketingListMembers", **{"$top": "1"}).json()["d"]["results"][0]
    assert "__deferred" in plain["CustomerInfo"]
    expanded = get(client, sb, "MarketingListMembers", **{
        "$filter": "ListCode eq 'ALLCUST'", "$expand": "CustomerInfo", "$top": "1",
        "$select": "MasterCustomerId,CustomerInfo/PrimaryEmailAddress,CustomerInfo/JoinDate",
    }).json()["d"]["results"][0]  # fmt: skip
    assert set(expanded) == {"__metadata", "MasterCustomerId", "CustomerInfo"}
    info = expanded["CustomerInfo"]
    assert set(info) == {"__metadata", "PrimaryEmailAddress", "JoinDate"}
    assert info["JoinDate"].startswith("/Date(") and info["JoinDate"].endswith(")/")
    for params, message in (
        ({"$expand": "Nothing"}, "No navigation property 'Nothing'"),
        ({"$select": "Nope"}, "No property 'Nope'"),
        ({"$select": "CustomerInfo/FirstName"}, "needs $expand"),
        ({"$orderby": "ListCode"}, "'$orderby' is not supported"),
        ({"$top": "-1"}, "expected a whole number"),
        ({"$skiptoken": "'x'"}, "skip token"),
    ):
        response = get(client, sb, "MarketingListMembers", **params)
        assert response.status_code == 400, params
        assert message in response.json()["error"]["message"]["value"]


def test_dates_are_wcf_json_dates(personify_shared, client):  # noqa: F811
    raw = get(client, personify_shared, "MarketingLists('ACTMBR')").text
    assert '"LastRegeneratedOn":"\\/Date(' in raw  # WCF escapes the slashes
    value = get(client, personify_shared, "MarketingLists('ACTMBR')").json()["d"]
    ms = int(value["LastRegeneratedOn"][6:-2])
    assert datetime.fromtimestamp(ms / 1000, UTC) == GENERATED_AT - timedelta(hours=6)


def test_entities_by_key_and_count(personify_shared, client):  # noqa: F811
    sb = personify_shared
    board = get(client, sb, "MarketingLists('BOARD')").json()["d"]
    assert board["Description"] == "Board of Directors" and board["RegenerationFrequency"] is None
    missing = get(client, sb, "MarketingLists('NOPE')")
    assert missing.status_code == 404 and "error" in missing.json()
    master, sub = sb.execute("SELECT MasterCustomerId, SubCustomerId FROM Customer"
                             " WHERE SubCustomerId = 2 LIMIT 1")[0]  # fmt: skip
    path = f"CustomerInfos(MasterCustomerId='{master}',SubCustomerId={sub})"
    assert get(client, sb, path).json()["d"]["SubCustomerId"] == 2
    assert get(client, sb, "CustomerInfos(Bogus='x')").status_code == 400
    assert get(client, sb, "Nowhere").status_code == 404
    count = get(client, sb, "CustomerInfos/$count", **{"$filter": "SubCustomerId gt 0"})
    assert int(count.text) == scalar(sb, "SELECT COUNT(*) FROM Customer WHERE SubCustomerId > 0")


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("aZ' %_é,()=\\\"/"), max_size=12))
def test_string_literals_match_exactly_whatever_they_hold(text):
    entity = ENTITY_SETS["CustomerInfos"]
    parser = FilterParser(
        entity.full_type, lambda n: f'"{n}"' if n in entity.properties else None,
        entity.is_boolean,
    )  # fmt: skip
    literal = "'" + text.replace("'", "''") + "'"
    sql, params = parser.parse(f"LastName eq {literal} or startswith(FirstName, {literal})")
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE c (LastName, FirstName)")
        rows = [(text, "x"), (text + "!", "y"), ("x", text + "tail"), ("x", "y")]
        db.executemany("INSERT INTO c VALUES (?, ?)", rows)
        got = db.execute(f"SELECT LastName, FirstName FROM c WHERE {sql}", params).fetchall()
    assert (text, "x") in got and ("x", text + "tail") in got
    assert ("x", "y") not in got or text == ""


def test_the_parser_refuses_deep_nesting_and_endless_chains():
    entity = ENTITY_SETS["CustomerInfos"]

    def parse(text: str):
        return FilterParser(entity.full_type, lambda n: n, entity.is_boolean).parse(text)

    with pytest.raises(ODataError, match="nested too deeply"):
        parse("(" * 50 + "AllowEmail" + ")" * 50)
    with pytest.raises(ODataError, match="more than 400 comparisons"):
        parse(" or ".join(["SubCustomerId eq 0"] * 401))
    assert parse(" or ".join(["SubCustomerId eq 0"] * 400))[0].count("OR") == 399


# -- the writeback endpoint --------------------------------------------------------------------


def customer(sb, master: str, sub: int) -> tuple:
    return sb.execute(
        "SELECT AllowEmail, AllowSolicitation, DoNotSolicitByEmail, BadEmailFlag FROM Customer"
        " WHERE MasterCustomerId = ? AND SubCustomerId = ?",
        (master, sub),
    )[0]


def post(c: httpx.Client, sb, body) -> httpx.Response:
    return c.post(f"{sb.service_url}/CustomerCommunicationUpdates", json=body)


def test_writebacks_change_the_customer_and_record_an_activity(personify, own_client):  # noqa: F811
    sb = personify
    master, sub = sb.execute(
        "SELECT MasterCustomerId, SubCustomerId FROM Customer WHERE AllowEmail = 1"
        " AND AllowSolicitation = 1 AND DoNotSolicitByEmail = 0 AND BadEmailFlag = 0 LIMIT 1"
    )[0]
    body = {"MasterCustomerId": master, "SubCustomerId": sub, "Reason": "Unsubscribed in Informz",
            "Date": "/Date(1772442000000)/"}  # fmt: skip
    created = post(own_client, sb, {**body, "Action": "unsubscribe"})
    assert created.status_code == 201
    entity = created.json()["d"]
    assert created.headers["Location"] == entity["__metadata"]["uri"]
    # seed 001: an unsubscribe from the platform sets Do Not Solicit by Email = true
    assert customer(sb, master, sub) == (0, 1, 1, 0)
    assert post(own_client, sb, {**body, "Action": "resubscribe"}).status_code == 201
    assert customer(sb, master, sub) == (1, 1, 0, 0)
    assert post(own_client, sb, {**body, "Action": "bad_email", "Date": "2026-03-02"}).is_success
    assert customer(sb, master, sub) == (1, 1, 0, 1)
    rows = sb.execute(
        "SELECT ActivityId, MasterCustomerId, SubCustomerId, Action, Reason, Date"
        " FROM CustomerCommunicationUpdate ORDER BY ActivityId"
    )
    assert [r[3] for r in rows] == ["unsubscribe", "resubscribe", "bad_email"]
    assert rows[0][0] == entity["ActivityId"] and rows[0][1:3] == (master, sub)
    assert rows[0][4] == "Unsubscribed in Informz" and rows[0][5] == "2026-03-02 09:00:00"
    assert rows[2][5] == "2026-03-02 00:00:00"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"MasterCustomerId": "999999999999", "SubCustomerId": 0, "Action": "unsubscribe",
          "Date": "2026-01-01"}, 404, "Customer '999999999999-0' was not found"),
        ({"MasterCustomerId": "000000100001", "SubCustomerId": 0, "Action": "delete",
          "Date": "2026-01-01"}, 400, "Action must be one of"),
        ({"MasterCustomerId": "000000100001", "SubCustomerId": 0, "Action": "unsubscribe",
          "Date": "soon"}, 400, "Invalid 'Edm.DateTime'"),
        ({"MasterCustomerId": "000000100001", "Action": "unsubscribe", "Date": "2026-01-01"},
         400, "'SubCustomerId' is missing"),
        ({"MasterCustomerId": "000000100001", "SubCustomerId": 0, "Action": "unsubscribe",
          "Date": "2026-01-01", "Reason": "x" * 256}, 400, "at most 255"),
        ([1, 2], 400, "must be a JSON object"),
    ],
)  # fmt: skip
def test_bad_writebacks_change_nothing(personify, own_client, body, status, message):  # noqa: F811
    before = dump(personify.db_path, "Customer")
    response = post(own_client, personify, body)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]["value"]
    assert dump(personify.db_path, "Customer") == before
    assert scalar(personify, "SELECT COUNT(*) FROM CustomerCommunicationUpdate") == 0
    not_json = own_client.post(f"{personify.service_url}/CustomerCommunicationUpdates",
                               content=b"{nope")  # fmt: skip
    assert not_json.status_code == 400
    assert own_client.post(f"{personify.service_url}/MarketingLists", json={}).status_code == 405


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["refuse", "garbage", "slow", "drop"])
def test_fault_modes(personify, own_client, mode):  # noqa: F811
    personify.set_fault(mode, slow_s=2.0)
    url = f"{personify.service_url}/MarketingLists"
    if mode == "refuse":
        assert own_client.get(url).status_code == 503
    elif mode == "garbage":
        response = own_client.get(url)
        assert response.status_code == 200
        with pytest.raises(ValueError):
            response.json()
    elif mode == "slow":
        with pytest.raises(httpx.ReadTimeout):
            own_client.get(url, timeout=0.2)
    else:
        with pytest.raises(httpx.RemoteProtocolError):
            own_client.get(url)
    personify.fail_mode = None
    assert own_client.get(url).status_code == 200


def test_a_fault_can_start_after_some_good_requests(personify, own_client):  # noqa: F811
    personify.set_fault("refuse", after_requests=2)
    url = f"{personify.service_url}/MarketingLists"
    assert [own_client.get(url).status_code for _ in range(3)] == [200, 200, 503]
    assert personify.fail_mode == "refuse"
    with pytest.raises(ValueError, match="Unknown fail mode"):
        personify.set_fault("explode")
    with pytest.raises(ValueError):
        personify.page_limit = 0


def test_stop_really_takes_the_server_down(personify, own_client):  # noqa: F811
    url = f"{personify.service_url}/MarketingLists"
    assert own_client.get(url).status_code == 200  # a keep-alive connection is now open
    personify.stop()
    with pytest.raises(httpx.TransportError):
        own_client.get(url)
    assert not personify.running
