"""A large commit leaves SQLite's checkpoint to a thread of its own (store/checkpoint.py)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text

from informz_console.store import checkpoint
from informz_console.store.engine import open_engine


def _wait_for_checkpoints() -> None:
    for thread in checkpoint.running():
        thread.join(30)


def _log_frames(path) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(frames in the write-ahead log, frames of it already copied into the file)."""
    with sqlite3.connect(path) as conn:  # PASSIVE on a quiet mirror copies all and says so
        _busy, log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return log, copied


def test_after_a_large_commit_a_thread_copies_the_log_into_the_mirror(tmp_path):
    path = tmp_path / "mirror.sqlite"
    engine = open_engine(path)
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE bulk (n INTEGER, pad TEXT)"))
        conn.commit()
        conn.begin()
        conn.execute(text(  # about 2,500 pages: past the 1,000 that make SQLite checkpoint
            "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 20000) "
            "INSERT INTO bulk SELECT n, hex(randomblob(200)) FROM c"))
        with checkpoint.checkpoint_after(conn, large=True):
            # the commit does not checkpoint: its connection's threshold is off
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
            conn.commit()
        # the connection checkpoints again as before, at its own threshold
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
    _wait_for_checkpoints()
    log, copied = _log_frames(path)
    assert log == copied  # nothing left in the log that the file lacks
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM bulk")).scalar_one() == 20000
    engine.dispose()


def test_a_small_commit_checkpoints_as_sqlite_always_does(tmp_path):
    engine = open_engine(tmp_path / "mirror.sqlite")
    with engine.connect() as conn:
        conn.begin()
        conn.execute(text("CREATE TABLE little (n INTEGER)"))
        with checkpoint.checkpoint_after(conn, large=False):
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
            conn.commit()
    assert checkpoint.running() == []
    engine.dispose()
