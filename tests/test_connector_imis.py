"""The iMIS connector against the sandbox: the real SQLite3 ODBC driver through unixODBC, and the
sandbox REST server on 127.0.0.1. No mocks."""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pyodbc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imis_fixtures import MEMBERS, imis, imis_shared, imis_template, make_connector  # noqa: F401

from informz_console.connectors.errors import (
    AuthError,
    ConfigError,
    RemoteDataError,
    UnreachableError,
)
from informz_console.connectors.imis import (
    ActivityRow,
    ImisConnector,
    ImisSettings,
    MissingUdRowError,
)
from informz_console.connectors.imis_odbc import OdbcSession, with_password
from informz_console.connectors.imis_records import status_filter
from informz_console.domain.email_source import AddressEmail, EmailSource
from informz_console.domain.records import ChangeKind, GroupKind
from informz_console.domain.statuses import AcceptedStatuses

EVERYONE = "$/Informz/Everyone"
BOARD = "$/Informz/Board"


@pytest.fixture
def shared_connector(imis_shared):  # noqa: F811
    with make_connector(imis_shared) as connector:
        yield connector


@pytest.fixture
def connector(imis):  # noqa: F811
    with make_connector(imis) as connector:
        yield connector


def expected_ids(sandbox, query: str) -> list[str]:
    (where,) = sandbox.execute("SELECT WhereSql FROM Sandbox_IQA WHERE QueryPath = ?", (query,))[0]
    return [i for (i,) in sandbox.execute(f"SELECT ID FROM Name WHERE {where} ORDER BY ID")]


def records(stream) -> list:
    return [record for page in stream.pages for record in page]


def scalar(sandbox, sql: str, params: tuple = ()):
    return sandbox.execute(sql, params)[0][0]


# -- test, groups, fields ----------------------------------------------------------------------


def test_test_describes_what_answered_in_one_sentence(imis_shared, shared_connector):  # noqa: F811
    assert shared_connector.test() == (
        f"Connected to iMIS at {imis_shared.site_url}: 2,000 people, 6 IQA queries."
    )


def test_list_groups_lists_the_published_iqa_queries(shared_connector):
    groups = {g.remote_key: g for g in shared_connector.list_groups()}
    assert set(groups) == {
        "$/Informz/All Active Members",
        "$/Informz/Board",
        "$/Informz/Chapters/Chapter East",
        "$/Informz/Everyone",
        "$/Informz/Lapsed",
        "$/Informz/New Members",
    }  # the draft "$/Informz/Drafts/Test query" is not offered
    east = groups["$/Informz/Chapters/Chapter East"]
    assert (east.name, east.folder, east.kind) == (
        "Chapter East",
        "$/Informz/Chapters",
        GroupKind.QUERY,
    )
    new = groups["$/Informz/New Members"]
    assert new.created_at.tzinfo is UTC and new.modified_at.tzinfo is UTC
    assert datetime.now(UTC) - new.created_at < timedelta(days=7)
    assert len(new.detail["document_key"]) == 36


def test_personalization_fields_are_the_text_columns_of_name(shared_connector):
    fields = shared_connector.personalization_fields()
    assert {"FIRST_NAME", "LAST_NAME", "COMPANY", "EMAIL", "MEMBER_TYPE"} <= set(fields)
    assert "EXCLUDE_MAIL" not in fields and "DATE_ADDED" not in fields


# -- group members -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "$/Informz/All Active Members",
        BOARD,
        "$/Informz/Chapters/Chapter East",
        "$/Informz/New Members",
        "$/Informz/Lapsed",
        EVERYONE,
    ],
)
def test_group_members_are_the_iqa_members_with_name_email(imis_shared, shared_connector, query):  # noqa: F811
    # seed 000: "Informz syncs on Name.Email or Name_Address.Email+Purpose and Preferred status"
    stream = shared_connector.group_members(query)
    got = records(stream)
    expected = expected_ids(imis_shared, query)
    assert stream.total == len(expected) > 0
    assert [r.ams_id for r in got] == expected
    name = dict(imis_shared.execute("SELECT ID, EMAIL FROM Name"))
    assert all(r.email == name[r.ams_id] for r in got)  # exactly as stored, mess included
    statuses = dict(imis_shared.execute("SELECT ID, STATUS FROM Name"))
    assert all(r.status == statuses[r.ams_id] for r in got)


@pytest.mark.parametrize("source_text", ["name", "address:Work"])
def test_group_rows_are_the_members_as_rows_that_make_the_same_records(imis_shared, source_text):  # noqa: F811
    """What a resync compares (sync/member_rows): plain tuples, the iMIS ID first, each making
    exactly the record group_members gives, in the same order."""
    with make_connector(imis_shared, email_source=source_text) as connector:
        members = records(connector.group_members(EVERYONE))
        stream = connector.group_rows(EVERYONE)
        rows = records(stream)
    assert stream.to_record is not None and len(rows) == len(members) > 0
    assert all(type(row) is tuple for row in rows)
    assert [row[0] for row in rows] == [record.ams_id for record in members]
    assert [stream.to_record(row) for row in rows] == members


def test_everyone_carries_the_mess_untouched(imis_shared, shared_connector):  # noqa: F811
    got = records(shared_connector.group_members(EVERYONE))
    emails = [r.email for r in got]
    assert None in emails and "" in emails
    assert any(e and "@@" in e for e in emails)
    assert any(e and e != e.strip() for e in emails)
    assert {r.fields["EXCLUDE_MAIL"] for r in got} == {"0", "1"}
    assert any(r.first_name and not r.first_name.isascii() for r in got)


@pytest.mark.parametrize("source_text", ["address:Work", "address:home"])
def test_group_members_with_the_preferred_address_of_a_purpose(imis_shared, source_text):  # noqa: F811
    # seed 000: the email is Name_Address.Email of the PURPOSE with the Preferred flag
    source = EmailSource.parse(source_text)
    addresses = defaultdict(list)
    for member_id, purpose, email, preferred in imis_shared.execute(
        "SELECT ID, PURPOSE, EMAIL, PREFERRED_MAIL FROM Name_Address ORDER BY ADDRESS_NUM"
    ):
        addresses[member_id].append(AddressEmail(purpose, email, bool(preferred)))
    with make_connector(imis_shared, email_source=source_text) as connector:
        got = records(connector.group_members(EVERYONE))
    assert [r.ams_id for r in got] == expected_ids(imis_shared, EVERYONE)
    for r in got:
        assert r.email == source.pick(None, addresses[r.ams_id]), r.ams_id
    assert sum(r.email is not None for r in got) > MEMBERS * 0.1


def test_two_preferred_rows_of_the_purpose_give_the_lowest_address_num(imis):  # noqa: F811
    member = scalar(imis, "SELECT MIN(ID) FROM Name WHERE STATUS = 'A'")
    imis.execute("DELETE FROM Name_Address WHERE ID = ?", (member,))
    for num, email in ((9000002, "second@x.org"), (9000001, "first@x.org")):
        imis.execute(
            "INSERT INTO Name_Address (ADDRESS_NUM, ID, PURPOSE, EMAIL, PREFERRED_MAIL)"
            " VALUES (?, ?, 'Work', ?, 1)",
            (num, member, email),
        )
    with make_connector(imis, email_source="address:Work") as connector:
        got = {r.ams_id: r for r in records(connector.group_members(EVERYONE))}
    assert got[member].email == "first@x.org"


def test_text_the_driver_cannot_decode_is_read_as_replacement_characters(imis):  # noqa: F811
    """A lone surrogate in a name (here its UTF-8 form; in SQL Server, half of an emoji cut at
    a column's length) reaches pyodbc as half a UTF-16 pair, and pyodbc raised for the whole
    page: no sync of a group holding that person could run. The page is read again with
    undecodable text as U+FFFD (a byte that is no UTF-8 at all, which this driver drops when
    it decodes by itself, too, on that page); every other value stays exact."""
    with make_connector(imis) as connector:
        before = {r.ams_id: r for r in records(connector.group_members(EVERYONE))}
    broken, surrogate, accented = list(before)[:3]
    imis.execute("UPDATE Name SET COMPANY = CAST(X'41FF42' AS TEXT) WHERE ID = ?", (broken,))
    # (the sandbox's IQA server reads the names itself, so these go where only ODBC looks)
    imis.execute("UPDATE Name SET COMPANY = CAST(X'EDA080' AS TEXT) WHERE ID = ?", (surrogate,))
    imis.execute("UPDATE Name SET COMPANY = 'Zoë Ltd' WHERE ID = ?", (accented,))
    with make_connector(imis) as connector:
        after = {r.ams_id: r for r in records(connector.group_members(EVERYONE))}
        assert after[broken].company == "A\ufffdB"
        assert after[surrogate].company == "\ufffd" * 3
        assert after[accented].company == "Zoë Ltd"  # on the page read again, and exact
        assert {k: r for k, r in after.items() if k not in (broken, surrogate, accented)} == {
            k: r for k, r in before.items() if k not in (broken, surrogate, accented)}


def test_a_page_read_replacing_leaves_the_connection_reading_strictly(tmp_path):
    """The replacing reading is for the page that needed it: afterwards the connection decodes
    as the driver does again (no converter left to slow every later page down)."""
    db = tmp_path / "names.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE Name (ID varchar(10), COMPANY varchar(80))")
        conn.execute("INSERT INTO Name VALUES ('1', CAST(X'EDA080' AS TEXT)), ('2', 'Zoë Ltd')")
    session = OdbcSession(f"Driver=SQLite3;Database={db};", "", False, 5.0)
    cursor = session.cursor()
    try:
        rows = session.fetch_all(cursor, "SELECT ID, COMPANY FROM Name ORDER BY ID", (), "read")
        assert [tuple(r) for r in rows] == [("1", "\ufffd" * 3), ("2", "Zoë Ltd")]
        assert session.connection().get_output_converter(pyodbc.SQL_VARCHAR) is None
        assert session.connection().get_output_converter(pyodbc.SQL_WVARCHAR) is None
        with pytest.raises(UnicodeDecodeError):  # strict again, as pyodbc reads by itself
            cursor.execute("SELECT COMPANY FROM Name WHERE ID = '1'").fetchall()
    finally:
        cursor.close()
        session.close()


def test_pages_follow_the_page_size(imis_shared):  # noqa: F811
    with make_connector(imis_shared, page_size=7) as connector:
        pages = list(connector.group_members(BOARD).pages)
    assert [len(p) for p in pages] == [7, 7, 1]
    with make_connector(imis_shared, page_size=97) as connector:
        stream = connector.group_members(EVERYONE)
        pages = list(stream.pages)
    assert stream.total == MEMBERS and len(pages) == math.ceil(MEMBERS / 97)
    assert [r.ams_id for p in pages for r in p] == expected_ids(imis_shared, EVERYONE)


def test_cancel_stops_between_pages(imis_shared):  # noqa: F811
    seen = []
    with make_connector(imis_shared, page_size=100) as connector:
        stream = connector.group_members(EVERYONE, cancel=lambda: len(seen) >= 3)
        for page in stream.pages:
            seen.append(page)
    assert [len(p) for p in seen] == [100, 100, 100]
    assert stream.total == MEMBERS


def test_a_token_that_expires_mid_stream_is_renewed_once(imis):  # noqa: F811
    with make_connector(imis, page_size=500) as connector:
        stream = connector.group_members(EVERYONE)
        pages = iter(stream.pages)
        first = next(pages)
        imis.expire_tokens()
        rest = [r for page in pages for r in page]
    assert len(first) + len(rest) == MEMBERS


def test_unknown_iqa_query_is_a_config_error(shared_connector):
    with pytest.raises(ConfigError, match=r"The IQA query '\$/Informz/Gone' does not exist"):
        shared_connector.group_members("$/Informz/Gone")


# -- Informz_Changes ---------------------------------------------------------------------------


def test_changes_since_a_high_water_mark_join_the_current_state(imis, connector):  # noqa: F811
    connector.rebuild_changes()
    mark = connector.high_water()
    changed, deleted = [
        i for (i,) in imis.execute("SELECT ID FROM Name WHERE STATUS = 'A' ORDER BY ID LIMIT 2")
    ]
    old = scalar(imis, "SELECT EMAIL FROM Name WHERE ID = ?", (changed,))
    imis.execute(
        "INSERT INTO Name (ID, STATUS, FIRST_NAME, EMAIL) VALUES ('9000001', 'A',"
        " 'Neu', 'neu@x.org')"
    )
    imis.execute("UPDATE Name SET EMAIL = 'first@x.org' WHERE ID = ?", (changed,))
    imis.execute("UPDATE Name SET EMAIL = 'latest@x.org' WHERE ID = ?", (changed,))
    imis.execute("DELETE FROM Name WHERE ID = ?", (deleted,))
    stream = connector.changes_since(mark)
    changes = [c for page in stream.pages for c in page]
    assert stream.total == 4
    assert [c.seqn for c in changes] == sorted(c.seqn for c in changes)
    assert all(c.seqn > mark for c in changes)
    assert [(c.kind, c.record.ams_id) for c in changes] == [
        (ChangeKind.ADDED, "9000001"),
        (ChangeKind.CHANGED, changed),
        (ChangeKind.CHANGED, changed),
        (ChangeKind.DELETED, deleted),
    ]
    assert changes[0].record.email == "neu@x.org" and changes[0].record.first_name == "Neu"
    assert changes[1].old_email == old
    assert changes[1].record.email == changes[2].record.email == "latest@x.org"  # current state
    assert changes[3].record.email is None
    assert connector.high_water() == changes[-1].seqn
    assert records(connector.changes_since(connector.high_water())) == []


def test_changes_follow_the_address_email_source(imis):  # noqa: F811
    member = scalar(imis, "SELECT MIN(ID) FROM Name WHERE STATUS = 'A'")
    with make_connector(imis, email_source="address:Work") as connector:
        mark = connector.high_water()
        imis.execute("DELETE FROM Name_Address WHERE ID = ?", (member,))
        imis.execute(
            "INSERT INTO Name_Address (ADDRESS_NUM, ID, PURPOSE, EMAIL, PREFERRED_MAIL)"
            " VALUES (9000001, ?, 'Work', 'work@x.org', 0)",
            (member,),
        )
        imis.execute("UPDATE Name_Address SET PREFERRED_MAIL = 1 WHERE ADDRESS_NUM = 9000001")
        changes = records(connector.changes_since(mark))
    assert changes and {c.record.ams_id for c in changes} == {member}
    assert all(c.kind is ChangeKind.CHANGED for c in changes)
    assert changes[-1].record.email == "work@x.org"
    assert changes[-2].record.email == "work@x.org"  # joined to now, not to the row's moment


def test_changes_are_read_in_bounded_windows_across_gaps(imis):  # noqa: F811
    with make_connector(imis, page_size=50) as connector:
        connector.rebuild_changes()
        imis.execute("DELETE FROM Informz_Changes WHERE SEQN % 100 < 70")  # holes in SEQN
        left = scalar(imis, "SELECT COUNT(*) FROM Informz_Changes")
        stream = connector.changes_since(0)
        pages = list(stream.pages)
    assert stream.total == left == sum(len(p) for p in pages)
    assert max(len(p) for p in pages) <= 50


def test_full_refresh_empties_and_rebuilds_from_accepted_statuses(imis, connector):  # noqa: F811
    # seed 000 "What Is A Full Refresh?": it removes all records in the Informz_Changes table and
    # rebuilds that table based upon the selected preferred status values
    imis.execute("UPDATE Name SET EMAIL = 'x@y.org' WHERE ID = (SELECT MIN(ID) FROM Name)")
    before = scalar(imis, "SELECT MAX(SEQN) FROM Informz_Changes")
    inserted = connector.rebuild_changes()
    assert inserted == scalar(imis, "SELECT COUNT(*) FROM Name WHERE STATUS = 'A'")
    rows = imis.execute(
        "SELECT c.SEQN, c.CHANGE_TYPE, c.STATUS, c.NEW_EMAIL IS n.EMAIL"
        " FROM Informz_Changes c JOIN Name n ON n.ID = c.ID"
    )
    assert len(rows) == inserted
    assert {(kind, status, same) for _, kind, status, same in rows} == {("A", "A", 1)}
    assert min(seqn for seqn, *_ in rows) > before  # a SEQN is never reused
    assert connector.high_water() == max(seqn for seqn, *_ in rows)


def test_full_refresh_honours_status_prefixes_and_the_email_source(imis):  # noqa: F811
    with make_connector(imis, accepted_statuses=["A*"], email_source="address:Home") as c:
        inserted = c.rebuild_changes()
    assert inserted == scalar(imis, "SELECT COUNT(*) FROM Name WHERE STATUS LIKE 'A%'")
    statuses = {s for (s,) in imis.execute("SELECT DISTINCT STATUS FROM Informz_Changes")}
    assert statuses == {"A", "AF", "AR", "AL"}
    with_home = scalar(imis, "SELECT COUNT(*) FROM Informz_Changes WHERE NEW_EMAIL IS NOT NULL")
    assert 0 < with_home < inserted


# -- writebacks --------------------------------------------------------------------------------


def test_activity_seqns_come_from_the_counter_not_max_seqn(imis, connector):  # noqa: F811
    imis.execute("UPDATE Counter SET LAST_VALUE = 900000 WHERE COUNTER_NAME = 'Activity'")
    max_before = scalar(imis, "SELECT MAX(SEQN) FROM Activity")
    assert max_before < 900000
    member = scalar(imis, "SELECT MIN(ID) FROM Name")
    when = datetime(2026, 3, 1, 14, 30, tzinfo=UTC)
    rows = [
        ActivityRow.for_email(member, "iUNSUB", "someone@x.org", when),
        ActivityRow.for_email(
            member, "iCORRECT", "a" * 300 + "@x.org", when, when.date(), product_code="iCORRECT"
        ),
    ]
    assert connector.write_activities(rows) == [900001, 900002]
    assert scalar(imis, "SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME = 'Activity'") == 900002
    stored = imis.execute(
        "SELECT SEQN, ID, ACTIVITY_TYPE, PRODUCT_CODE, TRANSACTION_DATE, DESCRIPTION"
        " FROM Activity WHERE SEQN > ? ORDER BY SEQN",
        (max_before,),
    )
    assert [s[:4] for s in stored] == [
        (900001, member, "iUNSUB", "iUNSUB"),
        (900002, member, "iCORRECT", "iCORRECT"),
    ]
    assert stored[0][4].startswith("2026-03-01 14:30:00")
    assert stored[0][5] == "someone@x.org 2026-03-01"
    assert len(stored[1][5]) <= 255 and stored[1][5].startswith("a" * 250)
    assert connector.write_activities([]) == []


def test_set_ud_flag_updates_an_existing_row(imis, connector):  # noqa: F811
    member = scalar(imis, "SELECT MIN(ID) FROM Informz_Preferences WHERE EMAIL_OPT_OUT = 0")
    activity = ActivityRow.for_email(member, "iOPTOUT", "x@y.org", datetime.now(UTC))
    seqn = connector.set_ud_flag(member, "email_opt_out", True, activity=activity)
    row = imis.execute("SELECT EMAIL_OPT_OUT FROM Informz_Preferences WHERE ID = ?", (member,))
    assert row == [(1,)]
    assert imis.execute("SELECT ID, ACTIVITY_TYPE FROM Activity WHERE SEQN = ?", (seqn,)) == [
        (member, "iOPTOUT")
    ]
    assert connector.set_ud_flag(member, "EMAIL_OPT_OUT", False) is None
    assert imis.execute(
        "SELECT EMAIL_OPT_OUT FROM Informz_Preferences WHERE ID = ?", (member,)
    ) == [(0,)]


def test_set_ud_flag_reports_a_missing_row_and_never_creates_it(imis, connector):  # noqa: F811
    # seed 004: "ensure that user-defined table contains records for all iMIS IDs (if not, the
    # checkboxes cannot be updated). Note that iMIS will not create the records"
    member = scalar(
        imis, "SELECT MIN(ID) FROM Name WHERE ID NOT IN (SELECT ID FROM Informz_Preferences)"
    )
    rows_before = scalar(imis, "SELECT COUNT(*) FROM Informz_Preferences")
    counter_before = scalar(imis, "SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME='Activity'")
    activity = ActivityRow.for_email(member, "iOPTOUT", "x@y.org", datetime.now(UTC))
    with pytest.raises(MissingUdRowError) as err:
        connector.set_ud_flag(member, "NEWSLETTER", True, activity=activity)
    assert member in str(err.value) and "Informz_Preferences" in str(err.value)
    assert scalar(imis, "SELECT COUNT(*) FROM Informz_Preferences") == rows_before
    assert scalar(imis, "SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME='Activity'") == (
        counter_before
    )  # the whole transaction was rolled back


def test_ud_checkbox_fields_lists_bit_columns_of_ud_tables(shared_connector):
    assert shared_connector.ud_checkbox_fields() == [
        ("Informz_Preferences", "NEWSLETTER"),
        ("Informz_Preferences", "EVENTS"),
        ("Informz_Preferences", "ADVOCACY"),
        ("Informz_Preferences", "EMAIL_OPT_OUT"),
        ("Informz_Topics", "WEBINARS"),
        ("Informz_Topics", "JOURNAL"),
    ]


@pytest.mark.parametrize(
    "table",
    ["x; DROP TABLE Name--", 'a"b', "Informz_Preferences; DELETE FROM Name", "Nope", "%", ""],
)
def test_unknown_or_malicious_ud_tables_are_refused(imis, table):  # noqa: F811
    with make_connector(imis, ud_table=table or "x") as connector:
        table = table or "x"
        with pytest.raises(ConfigError) as err:
            connector.set_ud_flag("100001", "NEWSLETTER", True)
        assert str(err.value) == (
            f"Table '{table}' does not exist in the iMIS database; check the bridge's UD table "
            f"setting."
        )
        with pytest.raises(ConfigError):
            connector.test()
    assert scalar(imis, "SELECT COUNT(*) FROM Name") == MEMBERS


@pytest.mark.parametrize(
    "field", ["NEWSLETTER = 1; --", 'NEWSLETTER"', "NEWSLETTER]", "ID = ID OR 1=1 --", "NOTE"]
)
def test_unknown_malicious_or_non_checkbox_fields_are_refused(imis, field):  # noqa: F811
    before = imis.execute("SELECT * FROM Informz_Topics ORDER BY ID")
    with (
        make_connector(imis, ud_table="Informz_Topics") as connector,
        pytest.raises(ConfigError, match="Field 'N|Field 'I|is not a checkbox"),
    ):
        connector.set_ud_flag("100001", field, True)
    assert imis.execute("SELECT * FROM Informz_Topics ORDER BY ID") == before


# -- settings and errors -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 501, -1, "lots"])
def test_page_size_outside_1_to_500_is_a_config_error(imis_shared, size):  # noqa: F811
    with pytest.raises(ConfigError) as err:
        ImisSettings.from_mapping(imis_shared.bridge_settings(page_size=size))
    assert str(err.value) in (
        "The iMIS page size must be a whole number from 1 to 500, because iMIS returns at most "
        "500 rows per page.",
        "The iMIS page size setting must be a number.",
    )
    with pytest.raises(ConfigError, match="from 1 to 500"):
        ImisSettings("Driver=SQLite3;", "http://x", "u", page_size=True)


def test_settings_round_trip_and_refuse_a_password_in_the_connection_string(imis_shared):  # noqa: F811
    settings = ImisSettings.from_mapping(
        imis_shared.bridge_settings(accepted_statuses=["A", "AF*"], email_source="address:Work")
    )
    assert ImisSettings.from_mapping(settings.to_mapping()) == settings
    assert settings.accepted_statuses == AcceptedStatuses.parse(["A", "AF*"])
    assert settings.email_source == EmailSource("Work")
    with pytest.raises(ConfigError, match="must not contain a password"):
        ImisSettings("Driver=SQLite3;UID=x;PWD=secret;", "http://x", "u")
    with pytest.raises(ConfigError, match="site URL"):
        ImisSettings("Driver=SQLite3;", "imis.example.org", "u")
    with pytest.raises(ConfigError, match="no connection string"):
        ImisSettings.from_mapping({"site_url": "http://x", "username": "u"})


def test_a_database_user_gets_the_keyring_password_appended(imis_shared):  # noqa: F811
    tricky = "p;w}d{"
    assert (
        with_password("Driver=X;UID=u;", tricky, has_user=True) == "Driver=X;UID=u;PWD={p;w}}d{};"
    )
    assert with_password("Driver=X;", tricky, has_user=False) == "Driver=X;"
    # the SQLite driver ignores UID/PWD, but the driver manager must still parse the string
    cs = imis_shared.odbc_connection_string + "UID=informz;"
    with make_connector(imis_shared, password=tricky, connection_string=cs) as connector:
        assert connector.settings.has_database_user
        assert connector.high_water() >= 0


def test_wrong_password_is_an_auth_error_without_the_password(imis_shared):  # noqa: F811
    secret = "Hunter2-not-the-password"
    with make_connector(imis_shared, password=secret) as connector:
        with pytest.raises(AuthError) as err:
            connector.test()
        with pytest.raises(AuthError):
            connector.group_members(EVERYONE)
    assert str(err.value) == (f"iMIS refused the user name or password for {imis_shared.site_url}.")
    assert secret not in str(err.value) and secret not in repr(err.value.args)
    assert err.value.__cause__ is None or secret not in str(err.value.__cause__)


def test_server_down_is_unreachable(imis):  # noqa: F811
    with make_connector(imis) as connector:
        imis.stop()
        with pytest.raises(UnreachableError, match="could not be reached") as err:
            connector.group_members(EVERYONE)
        assert err.value.transient


def test_unreachable_or_missing_odbc_database(imis_shared, tmp_path):  # noqa: F811
    cases = [
        # a file that cannot be opened: as good as a server that does not answer
        (f"Driver=SQLite3;Database={tmp_path}/no/such/dir/imis.db;", UnreachableError,
         "could not be reached"),
        ("Driver=NoSuchOdbcDriver;Database=x;", ConfigError, "not installed"),
        # SQLite happily creates an empty file: the catalogue check catches it
        (f"Driver=SQLite3;Database={tmp_path}/empty.db;", ConfigError, "no iMIS Name table"),
    ]  # fmt: skip
    for connection_string, error, text in cases:
        with (
            make_connector(imis_shared, connection_string=connection_string) as connector,
            pytest.raises(error, match=text),
        ):
            connector.test()


@pytest.mark.parametrize(
    ("mode", "error", "text"),
    [
        ("refuse", UnreachableError, "answered 503"),
        ("garbage", RemoteDataError, "not JSON"),
        ("slow", UnreachableError, "did not answer within 0.3 seconds"),
        ("drop", UnreachableError, "closed the connection"),
    ],
)
def test_rest_faults_become_one_sentence_errors(imis, mode, error, text):  # noqa: F811
    with make_connector(imis, timeout_s=0.3) as connector:
        connector.test()  # signed in while the server behaved
        imis.set_fault(mode, slow_s=3.0)
        with pytest.raises(error, match=text) as err:
            connector.group_members(EVERYONE)
    assert imis.password not in str(err.value)


def test_a_connection_dropped_mid_stream_fails_the_stream(imis):  # noqa: F811
    with make_connector(imis, page_size=100) as connector:
        stream = connector.group_members(EVERYONE)
        imis.set_fault("drop", after_requests=2)
        with pytest.raises(UnreachableError):
            for _ in stream.pages:
                pass


def test_connector_satisfies_the_protocols(shared_connector):
    from informz_console.connectors.base import ChangeFeedConnector

    feed: ChangeFeedConnector = shared_connector
    assert feed.kind == "imis"
    assert isinstance(shared_connector, ImisConnector)


@settings(max_examples=200, deadline=None)
@given(
    accepted=st.lists(st.text(alphabet="AaFIS%_![*", min_size=1, max_size=3), min_size=1),
    statuses=st.lists(st.text(alphabet="AaFIS%_![ ", max_size=4), max_size=12),
)
def test_the_sql_status_filter_accepts_what_the_domain_accepts(accepted, statuses):
    # the full-refresh filter runs in the database: it must agree with AcceptedStatuses.accepts
    # for every code, including LIKE metacharacters in a prefix and padded or lower-case codes
    try:
        rule = AcceptedStatuses.parse(accepted)
    except ValueError:
        return
    where, params = status_filter(rule, column="STATUS")
    with sqlite3.connect(":memory:") as db:
        db.execute("CREATE TABLE Name (STATUS varchar(5))")
        db.executemany("INSERT INTO Name VALUES (?)", [(s,) for s in statuses])
        chosen = sorted(s for (s,) in db.execute(f"SELECT STATUS FROM Name WHERE {where}", params))
    assert chosen == sorted(s for s in statuses if rule.accepts(s))


def _left_to_the_cyclic_collector(sandbox) -> list[type]:
    """The HTTP objects that reading the group left for the cyclic garbage collector."""
    import gc

    import httpx
    from tenacity import Retrying

    gc.collect()
    gc.disable()
    try:
        with make_connector(sandbox, page_size=50) as connector:
            assert sum(len(p) for p in connector.group_members(EVERYONE).pages) == MEMBERS
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = [type(o) for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    return [t for t in left if t in (httpx.Response, httpx.Request, Retrying)]


def test_reading_a_group_leaves_no_page_to_the_cyclic_collector(imis_shared):  # noqa: F811
    """Each page's HTTP answer is freed when read (httpx 0.28 ties a response to its stream in a
    reference cycle, and tenacity's per-call state is another): thousands of pages waiting for
    the collector stall the console's window when it finally runs (tests/bench/bench_gui.py)."""
    assert _left_to_the_cyclic_collector(imis_shared) == []


@pytest.mark.parametrize("fault", ["refuse", "drop"])
def test_a_retried_page_leaves_nothing_to_the_cyclic_collector(imis, fault, monkeypatch):  # noqa: F811
    """Neither does a page tried again: a 503 answer, or one whose connection broke off mid-body
    (the answer httpx leaves in its cycle, held by nothing). On a busy machine a page now and
    then meets such a fault; a flaky network, hundreds."""
    from informz_console.connectors import http_send

    monkeypatch.setattr(http_send, "RETRY", http_send.RetryPolicy(3, 0.01, 0.05))
    imis.set_fault(fault, after_requests=5, times=1)
    assert _left_to_the_cyclic_collector(imis) == []
    # the sign-in, the pages and the one tried again: the fault was met
    assert imis.requests_received == 1 + MEMBERS // 50 + 1
