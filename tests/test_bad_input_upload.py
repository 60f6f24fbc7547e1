"""A bad subscriber file (issue 6, "Bad input: CSV upload"; seed 000 "Subscribers > Upload >
Upload Subscribers").

A file in another encoding (Windows-1252, latin-1, UTF-16), without an email column, with quoted
newlines, invalid and duplicate rows, or of 100 MB: the upload reports each row it skipped with
its line and reason, merges the valid rows, and touches nothing but the subscribers it adds or
updates (no status, AMS link, membership, group, bridge or sync log changes). A 100 MB file is
streamed: Python's peak memory (tracemalloc) stays a fraction of the file's size.

More cases (BOM, a second email column, a malformed line mid-file, cancel, dry run, 200,000
rows) are in tests/test_upload.py.
"""

from __future__ import annotations

import tracemalloc

import pytest
from mirror_helpers import add_bridge, rows, snapshot
from static_connector import StaticAms, StaticConnector

from informz_console.domain.records import RemoteRecord as R
from informz_console.store.engine import open_engine
from informz_console.sync.requests import SyncKind, SyncRequest
from informz_console.sync.service import SyncService
from informz_console.sync.upload import RowIssue, upload_csv
from informz_console.sync.upload_csv import CP1252_NOTE, NO_EMAIL_COLUMN

G = "$/Test/Members"
UNTOUCHED = ("subscriber_link", "membership", "target_group", "bridge", "writeback")


@pytest.fixture
def synced(mirror, credentials, clock):
    """A mirror with two synced members (linked, in a group) and an unsubscribed one."""
    add_bridge(mirror, clock)
    credentials.set("bridge:imis:iMIS", "pw")
    ams = StaticAms(groups={G: [R("1", "ann@example.org", "A", "Ann"),
                                R("2", "bob@example.org", "A", "Bob"),
                                R("3", "cy@example.org", "A", "Cy")]})
    service = SyncService(mirror, credentials, clock,
                          connector_for=lambda bridge, creds: StaticConnector(ams))
    assert service.run(SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group=G)).ok
    with mirror.begin() as conn:
        conn.exec_driver_sql("UPDATE subscriber SET status = 'unsubscribed' "
                             "WHERE email = 'cy@example.org'")
    return mirror


def subscriber(mirror, email: str) -> tuple:
    return rows(mirror, "SELECT email, status, first_name, company, source FROM subscriber "
                        "WHERE email_key = :k", k=email.lower())[0]


def test_a_messy_file_reports_each_skipped_row_and_merges_the_rest(synced, clock, tmp_path):
    mirror = synced
    before = snapshot(mirror)
    runs_before = rows(mirror, "SELECT * FROM sync_run")
    path = tmp_path / "messy.csv"
    path.write_text(
        "E-mail,First Name,Company\n"                        # line 1
        "new.one@example.org,Nia,Acme\n"                     # 2: added
        "not-an-email,Bad,Acme\n"                            # 3: invalid
        "NEW.ONE@Example.org,Twice,Acme\n"                   # 4: duplicate of 2
        'quoted@example.org,Quinn,"Line one\nline two"\n'    # 5-6: one record, quoted newline
        ",Nobody,Acme\n"                                     # 7: no email
        f"long@example.org,{'F' * 300},Acme\n"               # 8: name too long for the mirror
        "bob@example.org,,Bob's New Co\n"                    # 9: updates Bob's company only
        "cy@example.org,Cy,Co\n"                             # 10: unsubscribed stays so
        "zoë@bücher.de,Zoë,Acme\n"                           # 11: unicode address, added
        "ann@example.org,Ann,\n",                            # 12: nothing new: unchanged
        encoding="utf-8", newline="")
    result = upload_csv(mirror, path, clock)
    assert result.ok, result.error
    assert (result.read, result.added, result.updated, result.unchanged) == (10, 3, 2, 1)
    assert [(i.line, i.value) for i in result.invalid_rows] == [
        (3, "not-an-email"), (7, ""), (8, "long@example.org")]
    assert "longer than 200 characters" in result.invalid_rows[2].reason
    assert result.duplicate_rows == [RowIssue(4, "NEW.ONE@Example.org", "duplicate of line 2")]

    assert subscriber(mirror, "new.one@example.org")[2:] == ("Nia", "Acme", "upload")
    assert subscriber(mirror, "quoted@example.org")[3] == "Line one\nline two"
    assert subscriber(mirror, "zoë@bücher.de")[0] == "zoë@bücher.de"
    assert subscriber(mirror, "bob@example.org") == (
        "bob@example.org", "active", "Bob", "Bob's New Co", "sync")
    assert subscriber(mirror, "cy@example.org")[1] == "unsubscribed"
    after = snapshot(mirror)
    for table in UNTOUCHED:
        assert after[table] == before[table], table
    assert rows(mirror, "SELECT * FROM sync_run") == runs_before


@pytest.mark.parametrize(("encoding", "note"), [("utf-16", None), ("utf-16-be", None),
                                                 ("latin-1", CP1252_NOTE),
                                                 ("cp1252", CP1252_NOTE)])
def test_a_file_in_another_encoding_is_read_in_it(mirror, clock, tmp_path, encoding, note):
    """Excel's "Unicode Text" is UTF-16 with a byte-order mark; Excel on Windows writes
    Windows-1252, of which latin-1's letters are a part."""
    path = tmp_path / "other.csv"
    text = "email,first_name,company\r\nrene@example.org,René,Café Größe\r\n"
    bom = "\ufeff" if encoding == "utf-16-be" else ""  # utf-16 writes its own
    path.write_bytes((bom + text).encode(encoding))
    result = upload_csv(mirror, path, clock)
    assert result.ok, result.error
    assert result.added == 1
    assert (note in result.notes) if note else not result.notes
    assert subscriber(mirror, "rene@example.org")[2:4] == ("René", "Café Größe")


def test_a_file_without_an_email_column_changes_nothing(synced, clock, tmp_path):
    before = snapshot(synced)
    path = tmp_path / "names.csv"
    path.write_text("name,company\nAnn,Acme\n", encoding="utf-8")
    result = upload_csv(synced, path, clock)
    assert (result.status, result.error) == ("failed", NO_EMAIL_COLUMN)
    assert snapshot(synced) == before


ROW_BYTES = 4_000
FILE_BYTES = 100 * 1024 * 1024


@pytest.mark.slow
def test_a_100_mb_file_is_streamed_in_bounded_memory(tmp_path, clock):
    """100 MB of 4 KB rows (a long personalization field each; every 50th row a duplicate,
    every 100th invalid): exact counts, and Python's peak allocation stays under a tenth of the
    file: rows are read, judged and staged a few MB at a time. A SQLite mirror of its own: the
    point is the reader and the stage, not the engine."""
    path = tmp_path / "big.csv"
    count = FILE_BYTES // ROW_BYTES
    notes = "n" * (ROW_BYTES - 30)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("email,first_name,Notes\n")
        for n in range(count):
            email = (f"bad{n}" if n % 100 == 99 else
                     f"Member{n - 1}@Example.org" if n % 50 == 49 else f"member{n}@example.org")
            out.write(f"{email},First {n},{notes}\n")
    assert path.stat().st_size >= FILE_BYTES
    engine = open_engine(tmp_path / "mirror.sqlite")
    tracemalloc.start()
    try:
        result = upload_csv(engine, path, clock)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        engine.dispose()
    assert result.ok, result.error
    invalid, duplicates = count // 100, count // 50 - count // 100
    assert (result.read, result.invalid, result.duplicates) == (count, invalid, duplicates)
    assert result.added == count - invalid - duplicates
    assert peak < FILE_BYTES / 10, f"peak {peak / 2**20:.0f} MiB"
