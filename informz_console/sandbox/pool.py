"""A pool of SQLite connections to one sandbox database, shared by a server's handler threads:
each `with pool.connection() as conn:` has a connection to itself until the block ends."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty, SimpleQueue


class ConnectionPool:
    def __init__(self, db_path: str | Path) -> None:
        self.db_path = str(db_path)
        self._idle: SimpleQueue[sqlite3.Connection] = SimpleQueue()

    def connect(self) -> sqlite3.Connection:
        """A new connection (30 s busy timeout), usable from any thread."""
        return sqlite3.connect(self.db_path, timeout=30, check_same_thread=False)

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._idle.get_nowait()
        except Empty:
            conn = self.connect()
        try:
            yield conn
        finally:
            if conn.in_transaction:  # never hand an open transaction to the next user
                conn.rollback()
            self._idle.put(conn)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except Empty:
                break
