"""The changes a dry run found (`SyncResult.preview`), as a table: what a resync would do."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from informz_console.store.queries.group_rows import Row
from informz_console.store.queries.labels import reason_label
from informz_console.sync.requests import RowChange
from informz_console.ui.lazy_model import LazyTableModel

COLUMNS = ("Change", "AMS id", "Email", "Why", "Detail")
CHANGES = {"added": "Would be added", "removed": "Would be removed",
           "updated": "Would be updated", "created": "New subscriber",
           "linked": "AMS id linked"}
ORDER = {"added": 0, "removed": 1, "updated": 2}  # what matters most first
COLORS = {"added": QColor("#1e7b34"), "removed": QColor("#a61b1b"),
          "updated": QColor("#17406d")}


def change_row(change: RowChange) -> Row:
    return (CHANGES.get(change.change, change.change), change.ams_id or "", change.email or "",
            reason_label(change.reason), change.detail or "", change.change)


class PreviewModel(LazyTableModel):
    def __init__(self, changes: Sequence[RowChange], parent: QObject | None = None) -> None:
        self.changes = sorted(changes, key=lambda c: ORDER.get(c.change, len(ORDER)))
        super().__init__(COLUMNS, self._fetch, parent)
        self.set_keys(range(len(self.changes)))

    def _fetch(self, keys: Sequence[Hashable]) -> dict[Hashable, Row]:
        return {k: change_row(self.changes[k]) for k in keys}  # type: ignore[index]

    def foreground(self, row: Row) -> Any:
        return COLORS.get(row[-1])

    def tooltip(self, row: Row, column: int) -> str | None:
        return row[column] if column == 4 and row[column] else None
