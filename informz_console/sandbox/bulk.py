"""Bulk-writing a sandbox database: a fresh SQLite file set up for one fast load, and batches
built on a second thread while SQLite writes the current one (it steps without the GIL).

    with bulk_load(path) as conn:           # the old file (and its WAL, journal) removed
        create_tables(conn)
        conn.execute("BEGIN")
        for batch in prefetched(batches(...), "imis-sandbox-generate"):
            conn.executemany(insert, batch)
        conn.execute("COMMIT")
        create_indexes(conn)
    # ANALYZEd, back in WAL mode, closed
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Queue
from typing import TypeVar

T = TypeVar("T")

# no journal, no fsync, a big cache, one writer: a crash mid-load only loses the load
LOAD_PRAGMAS = (
    "journal_mode=OFF",
    "synchronous=OFF",
    "cache_size=-256000",
    "temp_store=MEMORY",
    "locking_mode=EXCLUSIVE",
)


def prefetched(batches: Iterator[T], thread_name: str, depth: int = 2) -> Iterator[T]:
    """Build the next batches in a thread while SQLite writes this one (it steps sans GIL)."""
    done = object()
    queue: Queue = Queue(maxsize=depth)
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for batch in batches:
                queue.put(batch)
        except BaseException as exc:  # handed to the consumer below
            failure.append(exc)
        finally:
            queue.put(done)

    worker = threading.Thread(target=produce, name=thread_name, daemon=True)
    worker.start()
    while (item := queue.get()) is not done:
        yield item
    worker.join()
    if failure:
        raise failure[0]


@contextmanager
def bulk_load(path: str | Path) -> Iterator[sqlite3.Connection]:
    """A fresh database at `path` (replacing any file there) in autocommit mode, set up for one
    big transaction; after the block, ANALYZE and WAL mode for the servers. Always closed."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in LOAD_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        yield conn
        conn.execute("ANALYZE")
        conn.execute("PRAGMA locking_mode=NORMAL")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
