"""Uploading subscribers from a CSV file (seed 000: "Can I Also Upload Subscribers?")."""

from __future__ import annotations

import json

import pytest
from mirror_helpers import add_bridge, members, rows, snapshot
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.sync import upload
from informz_console.sync.cancel import CancelToken
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService
from informz_console.sync.upload import RowIssue, upload_csv
from informz_console.sync.upload_csv import CP1252_NOTE, NO_EMAIL_COLUMN

G = "$/Test/Members"


def write(tmp_path, content: str | bytes, name: str = "subscribers.csv"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def subscribers(mirror) -> list[tuple]:  # type: ignore[no-untyped-def]
    return rows(
        mirror,
        "SELECT email, status, first_name, last_name, company, fields, source "
        "FROM subscriber ORDER BY email_key",
    )


@pytest.fixture
def ams() -> StaticAms:
    return StaticAms(
        groups={G: [R("1", "ann@example.org", "A", "Ann"), R("2", "bob@example.org", "A", "Bob")]}
    )


@pytest.fixture
def service(mirror, credentials, clock, ams) -> SyncService:
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    return SyncService(
        mirror, credentials, clock, connector_for=lambda bridge, creds: StaticConnector(ams)
    )


def resync(service: SyncService):  # type: ignore[no-untyped-def]
    return service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G))


# -- what an upload creates and changes -----------------------------------------------------


def test_new_emails_become_uploaded_subscribers_without_an_ams_id(mirror, clock, tmp_path):
    path = write(
        tmp_path,
        "Email Address,First Name,last_name,Organization,Member Type\n"
        "Ann@Example.org,Ann,Lee,Acme,Gold\n"
        "cy@example.org,,,,\n",
    )
    result = upload_csv(mirror, path, clock)
    assert result.ok, result.error
    assert (result.read, result.added, result.updated, result.unchanged) == (2, 2, 0, 0)
    assert subscribers(mirror) == [
        ("Ann@example.org", "active", "Ann", "Lee", "Acme", '{"Member Type": "Gold"}', "upload"),
        ("cy@example.org", "active", None, None, None, None, "upload"),
    ]
    assert rows(mirror, "SELECT COUNT(*) FROM subscriber_link") == [(0,)]
    assert result.sentence() == (
        "Added 2 subscribers, updated 0, 0 unchanged; skipped 0 invalid and 0 duplicate rows."
    )


def test_existing_subscriber_gets_only_the_values_given(service, mirror, clock, tmp_path):
    """Status, AMS link and memberships are never an upload's to change."""
    resync(service)
    with mirror.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE subscriber SET status = 'unsubscribed', last_name = 'Byrne', "
            "fields = '{\"Region\": \"North\"}' WHERE email_key = 'bob@example.org'"
        )
    links_before = rows(mirror, "SELECT * FROM subscriber_link ORDER BY ams_id")
    path = write(
        tmp_path,
        "email,first_name,last_name,company,Chapter\nBOB@example.org,Robert,,Byrne & Co,East\n",
    )
    result = upload_csv(mirror, path, clock)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 0)
    bob = [s for s in subscribers(mirror) if s[0] == "bob@example.org"][0]
    assert bob[:5] == ("bob@example.org", "unsubscribed", "Robert", "Byrne", "Byrne & Co")
    assert json.loads(bob[5]) == {"Region": "North", "Chapter": "East"}
    assert bob[6] == "sync"
    assert rows(mirror, "SELECT * FROM subscriber_link ORDER BY ams_id") == links_before
    assert members(mirror, G) == ["ann@example.org", "bob@example.org"]


def test_the_same_file_again_changes_nothing(mirror, clock, tmp_path):
    path = write(
        tmp_path, "email,first_name,Member Type\nann@example.org,Ann,Gold\nbob@example.org,,\n"
    )
    upload_csv(mirror, path, clock)
    before = snapshot(mirror)
    clock.advance(days=1)
    again = upload_csv(mirror, path, clock)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(mirror) == before


# -- reading the file -----------------------------------------------------------------------


def test_missing_email_column_is_one_sentence_and_changes_nothing(mirror, clock, tmp_path):
    before = snapshot(mirror)
    result = upload_csv(mirror, write(tmp_path, "name,company\nAnn,Acme\n"), clock)
    assert result.status == "failed"
    assert (
        result.error
        == NO_EMAIL_COLUMN
        == ("The file has no email column; name one column 'email'.")
    )
    assert snapshot(mirror) == before


def test_empty_file_and_missing_file_are_one_sentence(mirror, clock, tmp_path):
    empty = upload_csv(mirror, write(tmp_path, "\n\n"), clock)
    assert empty.error == "The file is empty; it needs a header row with an 'email' column."
    missing = upload_csv(mirror, tmp_path / "nope.csv", clock)
    assert missing.status == "failed"
    assert missing.error.startswith("The file 'nope.csv' could not be opened (")


def test_windows_1252_file_is_read_and_said_so(mirror, clock, tmp_path):
    path = write(
        tmp_path,
        "email,first_name,company\r\nrene@example.org,Ren\xe9,Caf\xe9 €\r\n".encode("cp1252"),
    )
    result = upload_csv(mirror, path, clock)
    assert result.ok
    assert CP1252_NOTE in result.notes
    assert subscribers(mirror)[0][2:5] == ("René", None, "Café €")


def test_utf8_with_a_byte_order_mark(mirror, clock, tmp_path):
    path = write(tmp_path, "\ufeffE-mail,x\nzoë@example.org,ü\n".encode())
    result = upload_csv(mirror, path, clock)
    assert result.ok, result.error
    assert result.notes == []
    assert subscribers(mirror)[0][0] == "zoë@example.org"
    assert json.loads(subscribers(mirror)[0][5]) == {"x": "ü"}


def test_quoted_newline_stays_in_its_field_and_lines_are_counted(mirror, clock, tmp_path):
    path = write(tmp_path, 'email,company\nann@example.org,"Acme\nNorth, Inc"\nnot-an-email,x\n')
    result = upload_csv(mirror, path, clock)
    assert subscribers(mirror)[0][4] == "Acme\nNorth, Inc"
    assert [i.line for i in result.invalid_rows] == [4]  # the physical line in an editor


def test_invalid_rows_are_reported_with_line_numbers_and_skipped(mirror, clock, tmp_path):
    path = write(
        tmp_path,
        "email,first_name\n"
        "ann@example.org,Ann\n"
        "not-an-email,Bad\n"
        ",No email\n"
        "\n"
        ",,\n"  # a blank spreadsheet row: not a subscriber, not an error
        "admin@@example.org,Fixable\n"
        f"long@example.org,{'x' * 201}\n",
    )
    result = upload_csv(mirror, path, clock)
    assert result.ok
    assert (result.read, result.added, result.invalid) == (5, 2, 3)
    assert [(i.line, i.value) for i in result.invalid_rows] == [
        (3, "not-an-email"),
        (4, ""),
        (8, "long@example.org"),
    ]
    reasons = [i.reason for i in result.invalid_rows]
    assert reasons[1] == "No email address."
    assert reasons[2] == "The first name is longer than 200 characters."
    assert "@" in reasons[0]  # email-validator's own sentence
    assert result.corrected_rows == [
        RowIssue(7, "admin@@example.org", "corrected to admin@example.org")
    ]
    assert [s[0] for s in subscribers(mirror)] == ["admin@example.org", "ann@example.org"]


def test_duplicate_rows_count_once_and_the_first_wins(mirror, clock, tmp_path):
    path = write(
        tmp_path,
        "email,first_name\n"
        "ann@example.org,Ann\n"
        "bob@example.org,Bob\n"
        "ANN@Example.org,Annie\n"
        "ann@example.org,Anne\n",
    )
    result = upload_csv(mirror, path, clock)
    assert (result.added, result.duplicates) == (2, 2)
    assert result.duplicate_rows == [
        RowIssue(4, "ANN@Example.org", "duplicate of line 2"),
        RowIssue(5, "ann@example.org", "duplicate of line 2"),
    ]
    assert subscribers(mirror)[0][2] == "Ann"


def test_a_second_email_column_is_kept_as_a_field(mirror, clock, tmp_path):
    result = upload_csv(
        mirror, write(tmp_path, "Email,EMAIL_ADDRESS\na@example.org,b@x.org\n"), clock
    )
    assert result.notes == [
        "Column 'EMAIL_ADDRESS' is a second email column; it was kept as a personalization field."
    ]
    assert subscribers(mirror)[0][5] == '{"EMAIL_ADDRESS": "b@x.org"}'


def test_malformed_csv_mid_file_names_the_line_and_changes_nothing(mirror, clock, tmp_path):
    before = snapshot(mirror)
    body = "email\nann@example.org\n" + '"never closed' + "x" * 200_000 + "\n"
    result = upload_csv(mirror, write(tmp_path, body), clock)
    assert result.status == "failed"
    assert result.error.startswith("Line 3 is not valid CSV (")
    assert snapshot(mirror) == before


# -- all or nothing -------------------------------------------------------------------------


def test_dry_run_reports_the_same_and_changes_nothing(mirror, clock, tmp_path):
    path = write(tmp_path, "email,first_name\nann@example.org,Ann\nbad,\nann@example.org,A\n")
    before = snapshot(mirror)
    preview = upload_csv(mirror, path, clock, dry_run=True)
    assert snapshot(mirror) == before
    assert preview.sentence().startswith("Would add 1 subscribers")
    live = upload_csv(mirror, path, clock)
    assert (preview.added, preview.updated, preview.invalid, preview.duplicates) == (
        live.added,
        live.updated,
        live.invalid,
        live.duplicates,
    )


def test_cancel_while_reading_changes_nothing(mirror, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(upload, "BATCH", 2)
    path = write(tmp_path, "email\n" + "".join(f"u{n}@example.org\n" for n in range(10)))
    before = snapshot(mirror)
    token = CancelToken()

    def cancel_after_first_batch(progress):  # type: ignore[no-untyped-def]
        if progress.phase == "read":
            token.cancel()

    result = upload_csv(mirror, path, clock, cancel=token, progress=cancel_after_first_batch)
    assert (result.status, result.error) == (
        "cancelled",
        "The upload was cancelled; the mirror is unchanged.",
    )
    assert result.read == 2
    assert snapshot(mirror) == before


def test_cancel_during_the_merge_rolls_back(service, mirror, clock, tmp_path):
    resync(service)
    path = write(
        tmp_path,
        "email,first_name\nbob@example.org,Robert\nnew@example.org,New\nweird@@example.org,\n",
    )
    before = snapshot(mirror)
    token = CancelToken()

    def cancel_after_writes(progress):  # type: ignore[no-untyped-def]
        if progress.phase == "merge" and progress.done == 6:  # added and updated already
            token.cancel()

    result = upload_csv(mirror, path, clock, cancel=token, progress=cancel_after_writes)
    assert result.status == "cancelled"
    assert snapshot(mirror) == before


# -- seed 000 -------------------------------------------------------------------------------


def test_uploaded_subscriber_is_linked_by_a_later_sync_not_duplicated(
    service, mirror, clock, tmp_path
):
    """Seed 000, "Can I Also Upload Subscribers?": an uploaded email has no iMIS ID; when a
    sync later brings the same email, the iMIS ID is added to the existing subscriber record,
    so no duplicate is created and its history is kept."""
    upload_csv(mirror, write(tmp_path, "email,first_name\nBob@Example.org,Robert\n"), clock)
    uploaded = rows(mirror, "SELECT id, source FROM subscriber")
    assert uploaded[0][1] == "upload"
    assert rows(mirror, "SELECT COUNT(*) FROM subscriber_link") == [(0,)]

    result = resync(service)
    assert result.ok, result.error
    assert (
        rows(mirror, "SELECT id, source FROM subscriber WHERE email_key = 'bob@example.org'")
        == uploaded
    )
    assert rows(mirror, "SELECT subscriber_id FROM subscriber_link WHERE ams_id = '2'") == [
        (uploaded[0][0],)
    ]
    assert rows(
        mirror,
        "SELECT change FROM run_change WHERE run_id = :r AND ams_id = '2' AND change = 'linked'",
        r=result.run_id,
    ) == [("linked",)]
    assert "bob@example.org" in members(mirror, G)


# -- size -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_200k_row_file_streams_with_exact_counts(mirror, clock, tmp_path):
    """Every 1,000th row is invalid and every 500th repeats an earlier email."""
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("email,first_name,last_name,Member Type\n")
        for n in range(200_000):
            if n % 1_000 == 999:
                email = f"broken{n}"
            elif n % 500 == 499:
                email = f"User{n - 499}@Example.org"
            else:
                email = f"user{n}@example.org"
            out.write(f'{email},First {n},"Last, {n}",Tier {n % 7}\n')
    result = upload_csv(mirror, path, clock)
    assert result.ok, result.error
    assert (result.read, result.invalid, result.duplicates) == (200_000, 200, 200)
    assert result.added == 200_000 - 400
    assert len(result.invalid_rows) == 200
    assert result.duplicate_rows[0] == RowIssue(501, "User0@Example.org", "duplicate of line 2")
    assert rows(mirror, "SELECT COUNT(*) FROM subscriber WHERE source = 'upload'") == [(199_600,)]
