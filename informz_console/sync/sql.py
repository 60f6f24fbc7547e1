"""The few spots where SQLite and PostgreSQL spell the same SQL differently."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

# SQLite sorts what an index is built from in memory up to the main database's cache size (64
# MB here: engine.py), in one thread, with a merge sort whose lists outgrow the CPU's caches.
# Given pieces of 4 MB it sorts each in a worker thread while it reads on, and merges them.
# An index of 1,000,000 emails on a temporary table: 0.97-1.02 s; in pieces with no worker
# 0.63-0.66 s, one worker 0.53 s, two 0.47-0.50 s, three 0.48 s. A first resync of 1,000,000
# iMIS records, alternating runs: the stage's two indexes 1.51-1.60 -> 0.92-0.94 s; its index
# of integer subscriber ids, whose keys are small, 0.35-0.36 -> 0.32-0.33 s.
_SORT_PIECE_KIB = 4000
_SORT_WORKERS = 2


def is_distinct(conn: Connection, a: str, b: str) -> str:
    """Null-safe "differs": SQLite's IS NOT, the standard's IS DISTINCT FROM."""
    op = "IS NOT" if conn.dialect.name == "sqlite" else "IS DISTINCT FROM"
    return f"({a} {op} {b})"


def as_json(conn: Connection, expr: str) -> str:
    return expr if conn.dialect.name == "sqlite" else f"CAST({expr} AS JSON)"


def json_text(conn: Connection, expr: str) -> str:
    return expr if conn.dialect.name == "sqlite" else f"CAST({expr} AS TEXT)"


def analyze(conn: Connection, table: str) -> None:
    """PostgreSQL plans from statistics, which autovacuum never gathers for a temporary table
    and gathers for the others in its own time; without them a lookup into a million rows
    written just now may be planned as a scan per row."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {table}")


@contextmanager
def sorting_in_pieces(conn: Connection) -> Iterator[None]:
    """Around a statement that sorts many rows on SQLite (CREATE INDEX, or an INSERT whose
    ORDER BY is its target's key): the sort in small pieces and worker threads. The cache
    shrinks meanwhile (its pages beyond 4 MB are let go: the OS still holds them) and is
    given back its size after; so not around writes that land at random places."""
    if conn.dialect.name != "sqlite":
        yield
        return
    size = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    workers = conn.exec_driver_sql("PRAGMA threads").scalar_one()
    conn.exec_driver_sql(f"PRAGMA threads = {_SORT_WORKERS}")
    conn.exec_driver_sql(f"PRAGMA cache_size = -{_SORT_PIECE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(size)}")
        conn.exec_driver_sql(f"PRAGMA threads = {int(workers)}")


def scan(conn: Connection) -> str:
    """After a table name: SQLite reads it by a scan, where it would walk an index whose
    condition (`ams_id IS NOT NULL`) every row meets and then look each row up. Reading the
    stage's million records so: 2.1 s by the index, 0.15 s by a scan (`remember`). Likewise
    where a query's `same = 0` lets it take the partial email index for a scan of the stage:
    giving 780,000 new subscribers their ids 4.4 s by that index."""
    return "NOT INDEXED" if conn.dialect.name == "sqlite" else ""


def insert_many(conn: Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Rows straight to the driver's executemany: at a million rows, building SQLAlchemy
    parameter dicts costs more than the insert itself. PostgreSQL takes them by COPY."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, columns, rows)
        return
    mark = "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})",
        rows,
    )


def _copy(conn: Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """psycopg's COPY FROM STDIN: several times faster than an executemany of INSERTs."""
    if not conn.in_transaction():
        conn.begin()  # the COPY belongs to the connection's transaction, as the INSERTs would
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
