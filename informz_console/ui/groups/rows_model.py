"""The table behind a count: a `RowSet`'s keys, its rows read a block at a time as they show."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import QObject

from informz_console.store.queries.group_rows import Row, RowSet
from informz_console.ui.lazy_model import LazyTableModel
from informz_console.ui.services import Services

LONG_TEXT = 60  # cells longer than this show in full in their tooltip


class RowSetModel(LazyTableModel):
    def __init__(self, services: Services, rows: RowSet, parent: QObject | None = None) -> None:
        super().__init__(rows.columns, self._fetch, parent)
        self.services = services
        self.rows = rows

    def _fetch(self, keys: Sequence[Hashable]) -> dict[Hashable, Row]:
        with self.services.session() as session:
            return dict(self.rows.rows(session, keys))  # type: ignore[arg-type]

    def tooltip(self, row: Row, column: int) -> str | None:
        value = row[column]
        return value if isinstance(value, str) and len(value) > LONG_TEXT else None

    def display(self, row: Row, column: int) -> Any:
        value = row[column]
        return "" if value is None else str(value)
