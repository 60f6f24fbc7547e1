"""The iMIS sandbox: a deterministic, realistically messy database, the Informz_Changes triggers,
and a REST server that pages IQA results like iMIS and fails on demand."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from imis_fixtures import MEMBERS, imis, imis_shared, imis_template  # noqa: F401

from informz_console.sandbox.imis import DB_NAME, ImisSandbox
from informz_console.sandbox.imis_data import generate
from informz_console.sandbox.imis_iqa import IQA_QUERIES

EVERYONE = "$/Informz/Everyone"
TABLES = (
    "Name",
    "Name_Address",
    "Activity",
    "Counter",
    "Informz_Preferences",
    "Informz_Topics",
    "DocumentMain",
    "Sandbox_IQA",
)


def dump(path, table: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def scalar(sandbox: ImisSandbox, sql: str, params: tuple = ()):
    return sandbox.execute(sql, params)[0][0]


def token(client: httpx.Client, sandbox: ImisSandbox) -> str:
    form = {"grant_type": "password", "username": sandbox.username, "password": sandbox.password}
    return client.post(f"{sandbox.site_url}/token", data=form).json()["access_token"]


def iqa(client, sandbox, query=EVERYONE, *, bearer=None, **params) -> httpx.Response:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return client.get(
        f"{sandbox.site_url}/api/iqa", params={"QueryName": query, **params}, headers=headers
    )


@pytest.fixture
def client():
    with httpx.Client(timeout=10) as c:
        yield c


# -- the database ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_data_and_another_seed_does_not(tmp_path):
    now = datetime(2026, 1, 5, tzinfo=UTC)
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate(tmp_path / f"{name}.db", members=300, seed=seed, now=now)
    for table in TABLES:
        assert dump(tmp_path / "a.db", table) == dump(tmp_path / "b.db", table), table
    assert dump(tmp_path / "a.db", "Name") != dump(tmp_path / "c.db", "Name")


def test_the_mess_of_a_real_imis_is_there_at_realistic_rates(imis_shared):  # noqa: F811
    sb = imis_shared

    def share(where: str) -> float:
        return scalar(sb, f"SELECT COUNT(*) FROM Name WHERE {where}") / MEMBERS

    assert 0.03 < share("EMAIL IS NULL OR EMAIL = ''") < 0.09
    assert share("EMAIL IS NULL") > 0  # imports leave NULLs besides iMIS's usual ''
    assert 0.002 < share("EMAIL <> '' AND EMAIL NOT LIKE '%@%'") < 0.03  # no @
    assert share("TRIM(EMAIL) LIKE '% %'") > 0  # a space inside
    assert share("EMAIL LIKE '%@@%'") > 0  # fixable: x@@y.org
    assert share("EMAIL <> TRIM(EMAIL)") > 0  # fixable: surrounding spaces
    assert share("EMAIL LIKE '%.'") > 0  # fixable: trailing dot
    assert share("EMAIL LIKE '%@%' AND EMAIL NOT LIKE '%@%.%'") > 0  # bad domain: no dot
    assert 0.70 < share("STATUS = 'A'") < 0.86
    statuses = {row[0] for row in sb.execute("SELECT DISTINCT STATUS FROM Name")}
    assert {"A", "AF", "S", "I", "D"} <= statuses
    shared = sb.execute(
        "SELECT LOWER(TRIM(EMAIL)), COUNT(*), COUNT(DISTINCT EMAIL) FROM Name"
        " WHERE EMAIL LIKE '%@%' GROUP BY 1 HAVING COUNT(*) > 1"
    )
    assert shared, "two IDs share an address"
    assert any(distinct > 1 for _, _, distinct in shared), "shared in a different case"
    non_ascii = [
        n for (n,) in sb.execute("SELECT FIRST_NAME || LAST_NAME FROM Name") if not n.isascii()
    ]
    assert non_ascii, "a few unicode names"
    assert all(i.isdigit() and len(i) <= 10 for (i,) in sb.execute("SELECT ID FROM Name"))


def test_addresses_and_ud_rows_look_like_imis(imis_shared):  # noqa: F811
    sb = imis_shared
    purposes = dict(sb.execute("SELECT PURPOSE, COUNT(*) FROM Name_Address GROUP BY 1"))
    assert set(purposes) == {"Work", "Home", "Other"}
    assert 0 < scalar(sb, "SELECT AVG(PREFERRED_MAIL) FROM Name_Address") < 1
    two_preferred = sb.execute(
        "SELECT ID FROM Name_Address WHERE PURPOSE = 'Work' AND PREFERRED_MAIL = 1"
        " GROUP BY ID HAVING COUNT(*) > 1"
    )
    assert two_preferred, "some people have two preferred Work rows"
    # seed 004: most IDs have a UD row, some do not (and must be reported, never created)
    missing = scalar(
        sb, "SELECT COUNT(*) FROM Name WHERE ID NOT IN (SELECT ID FROM Informz_Preferences)"
    )
    assert 0 < missing < MEMBERS * 0.08
    assert scalar(sb, "SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME = 'Activity'") == (
        scalar(sb, "SELECT MAX(SEQN) FROM Activity")
    )
    assert scalar(sb, "SELECT COUNT(*) FROM Informz_Changes") == 0


def test_iqa_documents_list_six_published_queries_under_informz(imis_shared):  # noqa: F811
    rows = imis_shared.execute(
        "SELECT FolderPath || '/' || DocumentName, DocumentStatusCode, CreatedOn"
        " FROM DocumentMain WHERE DocumentTypeCode = 'IQD'"
    )
    published = {path: created for path, status, created in rows if status == 40}
    assert len(published) == 6
    assert all(path.startswith("$/Informz/") for path in published)
    created = datetime.fromisoformat(published["$/Informz/New Members"]).replace(tzinfo=UTC)
    assert datetime.now(UTC) - created < timedelta(days=7)  # the nightly sync picks it up
    runnable = {path for (path,) in imis_shared.execute("SELECT QueryPath FROM Sandbox_IQA")}
    assert runnable == set(published)


def test_triggers_fill_informz_changes_for_inserts_updates_and_deletes(imis):  # noqa: F811
    imis.execute("INSERT INTO Name (ID, STATUS, EMAIL) VALUES ('9000001', 'A', 'new@x.org')")
    member = scalar(imis, "SELECT MIN(ID) FROM Name WHERE STATUS = 'A' AND EMAIL LIKE '%@%'")
    old = scalar(imis, "SELECT EMAIL FROM Name WHERE ID = ?", (member,))
    imis.execute("UPDATE Name SET EMAIL = 'moved@x.org' WHERE ID = ?", (member,))
    imis.execute("UPDATE Name SET STATUS = 'I' WHERE ID = ?", (member,))
    imis.execute("UPDATE Name SET FIRST_NAME = 'Renamed' WHERE ID = ?", (member,))  # not tracked
    imis.execute("UPDATE Name SET EMAIL = 'moved@x.org' WHERE ID = ?", (member,))  # no change
    imis.execute("DELETE FROM Name WHERE ID = '9000001'")
    imis.execute(
        "INSERT INTO Name_Address (ADDRESS_NUM, ID, PURPOSE, EMAIL, PREFERRED_MAIL)"
        " VALUES (9000001, ?, 'Work', 'w@x.org', 0)",
        (member,),
    )
    imis.execute("UPDATE Name_Address SET PREFERRED_MAIL = 1 WHERE ADDRESS_NUM = 9000001")
    imis.execute("UPDATE Name_Address SET CITY = 'Nowhere' WHERE ADDRESS_NUM = 9000001")
    imis.execute("DELETE FROM Name_Address WHERE ADDRESS_NUM = 9000001")
    rows = imis.execute(
        "SELECT ID, CHANGE_TYPE, OLD_EMAIL, NEW_EMAIL, STATUS, CHANGED_AT FROM Informz_Changes"
        " ORDER BY SEQN"
    )
    assert [r[:5] for r in rows] == [
        ("9000001", "A", None, "new@x.org", "A"),
        (member, "C", old, "moved@x.org", "A"),
        (member, "C", "moved@x.org", "moved@x.org", "I"),
        ("9000001", "D", "new@x.org", None, "A"),
        (member, "C", None, "w@x.org", "I"),
        (member, "C", "w@x.org", "w@x.org", "I"),
        (member, "C", "w@x.org", None, "I"),
    ]
    changed_at = datetime.fromisoformat(rows[0][5]).replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - changed_at) < timedelta(minutes=1)  # UTC, not local time


def test_open_and_site_url_explain_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError):
        ImisSandbox.open(tmp_path)
    generate(tmp_path / DB_NAME, members=10)
    sandbox = ImisSandbox.open(tmp_path)
    with pytest.raises(RuntimeError, match="start"):
        _ = sandbox.site_url
    assert sandbox.odbc_connection_string == f"Driver=SQLite3;Database={tmp_path / DB_NAME};"


# -- the REST server ---------------------------------------------------------------------------


def test_token_needs_the_right_user_and_password(imis_shared, client):  # noqa: F811
    sb = imis_shared
    ok = client.post(
        f"{sb.site_url}/token",
        data={"grant_type": "password", "username": sb.username, "password": sb.password},
    )
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "bearer" and ok.json()["expires_in"] > 0
    bad = client.post(
        f"{sb.site_url}/token",
        data={"grant_type": "password", "username": sb.username, "password": "wrong"},
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    assert bad.json()["error_description"]
    grant = client.post(f"{sb.site_url}/token", data={"grant_type": "client_credentials"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_iqa_needs_a_valid_bearer_token(imis, client):  # noqa: F811
    assert iqa(client, imis).status_code == 401
    assert iqa(client, imis, bearer="forged").status_code == 401
    bearer = token(client, imis)
    assert iqa(client, imis, bearer=bearer).status_code == 200
    imis.expire_tokens()
    assert iqa(client, imis, bearer=bearer).status_code == 401


def test_iqa_pages_cover_the_query_in_id_order(imis_shared, client):  # noqa: F811
    sb = imis_shared
    bearer = token(client, sb)
    where = scalar(sb, "SELECT WhereSql FROM Sandbox_IQA WHERE QueryPath = ?", (EVERYONE,))
    expected = [i for (i,) in sb.execute(f"SELECT ID FROM Name WHERE {where} ORDER BY ID")]
    seen, offset, pages = [], 0, 0
    while True:
        body = iqa(client, sb, bearer=bearer, limit=500, offset=offset).json()
        assert body["$type"].startswith("Asi.Soa.Core.DataContracts.PagedResult")
        items = body["Items"]["$values"]
        assert body["Offset"] == offset and body["Limit"] == 500 and body["Count"] == len(items)
        assert body["TotalCount"] == MEMBERS
        assert body["NextOffset"] == offset + len(items)
        for item in items:
            props = {p["Name"]: p["Value"] for p in item["Properties"]["$values"]}
            assert set(props) >= {"ID", "FullName"}
            seen.append(props["ID"])
        pages += 1
        if not body["HasNext"]:
            break
        offset = body["NextOffset"]
    assert pages == 4 and seen == expected  # string order: '1000000' < '100001'


def test_iqa_limit_is_capped_at_500_and_defaults_to_100(imis_shared, client):  # noqa: F811
    bearer = token(client, imis_shared)
    capped = iqa(client, imis_shared, bearer=bearer, limit=5000).json()
    assert capped["Limit"] == 500 and capped["Count"] == 500 and capped["HasNext"]
    default = iqa(client, imis_shared, bearer=bearer).json()
    assert default["Limit"] == 100 and default["Count"] == 100
    last = iqa(client, imis_shared, bearer=bearer, limit=500, offset=MEMBERS - 3).json()
    assert last["Count"] == 3 and not last["HasNext"]


def test_unknown_query_is_404_with_a_message(imis_shared, client):  # noqa: F811
    bearer = token(client, imis_shared)
    response = iqa(client, imis_shared, "$/Informz/Nope", bearer=bearer)
    assert response.status_code == 404 and "Nope" in response.json()["Message"]
    draft = next(q for q in IQA_QUERIES if q.where_sql is None)
    assert iqa(client, imis_shared, draft.path, bearer=bearer).status_code == 404


def test_iqa_reflects_changes_committed_after_earlier_pages(imis, client):  # noqa: F811
    bearer = token(client, imis)
    assert iqa(client, imis, bearer=bearer, limit=1).json()["TotalCount"] == MEMBERS
    imis.execute("INSERT INTO Name (ID, STATUS, EMAIL) VALUES ('0000001', 'A', 'a@x.org')")
    body = iqa(client, imis, bearer=bearer, limit=1).json()
    assert body["TotalCount"] == MEMBERS + 1
    assert body["Items"]["$values"][0]["Properties"]["$values"][1]["Value"] == "0000001"


@pytest.mark.parametrize("mode", ["refuse", "garbage", "slow", "drop"])
def test_fault_modes(imis, client, mode):  # noqa: F811
    bearer = token(client, imis)
    imis.set_fault(mode, slow_s=2.0)
    if mode == "refuse":
        assert iqa(client, imis, bearer=bearer).status_code == 503
    elif mode == "garbage":
        response = iqa(client, imis, bearer=bearer)
        assert response.status_code == 200
        with pytest.raises(ValueError):
            response.json()
    elif mode == "slow":
        with pytest.raises(httpx.ReadTimeout):
            client.get(
                f"{imis.site_url}/api/iqa",
                params={"QueryName": EVERYONE},
                headers={"Authorization": f"Bearer {bearer}"},
                timeout=0.2,
            )
    else:
        with pytest.raises(httpx.RemoteProtocolError):
            iqa(client, imis, bearer=bearer)
    imis.fail_mode = None
    assert iqa(client, imis, bearer=bearer).status_code == 200


def test_a_fault_can_start_after_some_good_requests(imis, client):  # noqa: F811
    bearer = token(client, imis)
    imis.set_fault("refuse", after_requests=2)
    assert [iqa(client, imis, bearer=bearer).status_code for _ in range(3)] == [200, 200, 503]
    with pytest.raises(ValueError, match="Unknown fail mode"):
        imis.set_fault("explode")


def test_stop_really_takes_the_server_down(imis, client):  # noqa: F811
    bearer = token(client, imis)  # a keep-alive connection is now open
    site = imis.site_url
    imis.stop()
    with pytest.raises(httpx.TransportError):
        client.get(
            f"{site}/api/iqa",
            params={"QueryName": EVERYONE},
            headers={"Authorization": f"Bearer {bearer}"},
        )
