"""The stage's indexes are sorted in small pieces on SQLite, and the connection is given back
as it was (sync/sql.sorting_in_pieces)."""

from __future__ import annotations

import random

import pytest

from informz_console.sync.sql import insert_many, sorting_in_pieces


def _pragma(conn, name: str) -> int:  # type: ignore[no-untyped-def]
    return int(conn.exec_driver_sql(f"PRAGMA {name}").scalar_one())


def _fill(conn) -> None:  # type: ignore[no-untyped-def]
    conn.exec_driver_sql("CREATE TEMPORARY TABLE piece_stage (seq INTEGER PRIMARY KEY, "
                         "email_key VARCHAR(400))")
    shuffled = random.Random(7).sample(range(150000), 150000)  # ~6 MB of keys: two pieces
    insert_many(conn, "piece_stage", ["seq", "email_key"],
                [(n, f"member{k:08d}.{k * 7919 % 100003}@example.org") for n, k in
                 enumerate(shuffled)])


def test_an_index_built_in_pieces_holds_every_row_in_order(mirror):
    with mirror.connect() as conn:
        _fill(conn)
        with sorting_in_pieces(conn):
            conn.exec_driver_sql("CREATE INDEX ix_piece ON piece_stage (email_key)")
        by_index = conn.exec_driver_sql(
            "SELECT email_key FROM piece_stage ORDER BY email_key").scalars().all()
        assert len(by_index) == 150000
        assert by_index == sorted(by_index)
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"


@pytest.mark.sqlite_only
def test_the_connection_sorts_in_pieces_only_inside_and_after_an_error_too(mirror):
    with mirror.connect() as conn:
        cache, threads = _pragma(conn, "cache_size"), _pragma(conn, "threads")
        with sorting_in_pieces(conn):
            assert _pragma(conn, "cache_size") == -4000
            assert _pragma(conn, "threads") == 2
        assert (_pragma(conn, "cache_size"), _pragma(conn, "threads")) == (cache, threads)
        with pytest.raises(RuntimeError), sorting_in_pieces(conn):
            raise RuntimeError("the index could not be built")
        assert (_pragma(conn, "cache_size"), _pragma(conn, "threads")) == (cache, threads)
