"""A mirror made by an older version of the console is upgraded when opened: its rows kept,
each step reported, and an upgrade that is stopped leaves the mirror at the version it had."""

from __future__ import annotations

import sqlite3

import pytest
from old_mirror import old_mirror, version_and_rows

from informz_console.store.engine import MirrorError, open_engine
from informz_console.store.migrate import UpgradeStopped


def without_rowid(path, table: str) -> bool:
    db = sqlite3.connect(path)
    try:
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        return "WITHOUT ROWID" in sql.upper()
    finally:
        db.close()


def test_an_old_mirror_is_upgraded_with_its_rows_and_each_step_told(tmp_path):
    path = tmp_path / "old.sqlite"
    old_mirror(path, "0003")
    told = []
    engine = open_engine(path, progress=lambda done, total: told.append((done, total)) or True)
    engine.dispose()
    assert told == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]  # 0004 to 0008 are pending
    assert version_and_rows(path) == ("0008", [("Ann@Example.org", "100001", 1)])
    assert without_rowid(path, "subscriber_link") and without_rowid(path, "membership")
    db = sqlite3.connect(path)  # 0006: the subscriber that was there has written no revision
    assert db.execute("SELECT revision FROM subscriber").fetchall() == [(0,)]
    assert db.execute("SELECT COUNT(*) FROM synced_record").fetchone() == (0,)
    # 0007: the blocked subscribers' partial index
    assert db.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_subscriber_blocked'"
                      ).fetchone()[0].endswith("WHERE status IN ('unsubscribed', 'opted_out', "
                                               "'bad_email')")
    db.close()


def test_a_new_mirror_is_made_without_a_word_and_then_has_no_step_to_take(tmp_path):
    path = tmp_path / "new.sqlite"
    told = []
    open_engine(path, progress=lambda done, total: told.append((done, total)) or True).dispose()
    assert told == []  # made, not upgraded
    open_engine(path, progress=lambda done, total: told.append((done, total)) or True).dispose()
    assert told == [(0, 0)]


@pytest.mark.parametrize("stop_at", [0, 1])
def test_an_upgrade_stopped_leaves_the_mirror_at_its_version(tmp_path, stop_at):
    path = tmp_path / "old.sqlite"
    old_mirror(path, "0003")
    with pytest.raises(UpgradeStopped):
        open_engine(path, progress=lambda done, _total: done < stop_at)
    # step 0004 had been applied when the stop came after it: it is rolled back with the rest
    assert version_and_rows(path) == ("0003", [("Ann@Example.org", "100001", 1)])
    assert not without_rowid(path, "subscriber_link")
    open_engine(path).dispose()  # and it upgrades the next time it is opened
    assert version_and_rows(path)[0] == "0008"


def test_a_mirror_another_program_holds_for_writing_says_it_is_busy(tmp_path):
    path = tmp_path / "old.sqlite"
    old_mirror(path, "0003")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another console's merge, or a DB browser's edit
    try:
        with pytest.raises(MirrorError, match="is busy: another console or program"):
            open_engine(path)  # after the busy timeout (10 s)
    finally:
        holder.rollback()
        holder.close()
    assert version_and_rows(path)[0] == "0003"
