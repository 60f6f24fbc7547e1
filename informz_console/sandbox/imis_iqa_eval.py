"""Runs a sandbox IQA query (Sandbox_IQA.WhereSql over Name, ordered by ID) one page at a time.

Paging a million rows with LIMIT/OFFSET costs O(offset) per page, so a full read would be
quadratic. The evaluator scans a query's ordered IDs once, keeps every `STEP`-th ID as a
checkpoint, and answers `offset` by seeking to the checkpoint below it (`ID >= ?`) plus a short
OFFSET. The checkpoints are dropped whenever anyone commits to the database (`PRAGMA
data_version` on a connection that never writes), so pages always reflect the current data, with
the same skip/repeat risk a real iMIS has when rows change between two page requests.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from informz_console.sandbox.pool import ConnectionPool

STEP = 100
PAGE_COLUMNS = "ID, FIRST_NAME, LAST_NAME, STATUS"


@dataclass(frozen=True)
class _QueryIndex:
    path: str
    where_sql: str
    total: int
    checkpoints: list[str]


class IqaEvaluator:
    def __init__(self, db_path: str | Path) -> None:
        self._pool = ConnectionPool(db_path)
        self._connection = self._pool.connection
        self._lock = threading.Lock()
        self._monitor = self._pool.connect()
        self._version: int | None = None
        self._indexes: dict[str, _QueryIndex] = {}

    def _index(self, query_path: str) -> _QueryIndex | None:
        with self._lock:
            version = self._monitor.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                self._indexes.clear()
                self._version = version
            key = query_path.casefold()
            index = self._indexes.get(key)
            if index is None:
                index = self._build(query_path)
                if index is not None:
                    self._indexes[key] = index
            return index

    def _build(self, query_path: str) -> _QueryIndex | None:
        row = self._monitor.execute(
            "SELECT QueryPath, WhereSql FROM Sandbox_IQA WHERE QueryPath = ? COLLATE NOCASE",
            (query_path,),
        ).fetchone()
        if row is None:
            return None
        path, where_sql = row
        checkpoints: list[str] = []
        total = 0
        cursor = self._monitor.execute(f"SELECT ID FROM Name WHERE ({where_sql}) ORDER BY ID")
        for (member_id,) in cursor:
            if total % STEP == 0:
                checkpoints.append(member_id)
            total += 1
        return _QueryIndex(path, where_sql, total, checkpoints)

    def page(self, query_path: str, offset: int, limit: int) -> tuple[str, int, list[tuple]] | None:
        """(the stored query path, TotalCount, rows of PAGE_COLUMNS), None for an unknown query.

        Query paths match case-insensitively, as in iMIS."""
        index = self._index(query_path)
        if index is None:
            return None
        if offset >= index.total or limit <= 0:
            return index.path, index.total, []
        k = offset // STEP
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT {PAGE_COLUMNS} FROM Name WHERE ({index.where_sql}) AND ID >= ?"
                " ORDER BY ID LIMIT ? OFFSET ?",
                (index.checkpoints[k], limit, offset - k * STEP),
            ).fetchall()
        return index.path, index.total, rows

    def close(self) -> None:
        self._monitor.close()
        self._pool.close()
