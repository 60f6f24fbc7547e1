"""A table over a short list of rows held in memory (log lines, reasons, links, history).

Large results use `LazyTableModel`; this is for the few dozen rows one run or one subscriber
has. Rows are tuples of display values; the whole row tuple is `ROW_ROLE`, so a view can keep
a hidden key in the row past the shown columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from informz_console.ui.columns_model import ColumnsModel
from informz_console.ui.lazy_model import ROW_ROLE

Index = QModelIndex | QPersistentModelIndex
Row = tuple[Any, ...]


class StaticTableModel(ColumnsModel):
    def __init__(self, columns: Sequence[str], *, numeric: Sequence[int] = (),
                 color: Callable[[Row], QColor | None] | None = None,
                 tooltip: Callable[[Row, int], str | None] | None = None,
                 parent: Any = None) -> None:
        super().__init__(columns, parent)
        self._numeric = set(numeric)
        self._color = color
        self._tooltip = tooltip
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def rows(self) -> list[Row]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not self.hasIndex(index.row(), index.column()):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = row[index.column()]
            return "" if value is None else str(value)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and self._color is not None:
            return self._color(row)
        if role == Qt.ItemDataRole.ToolTipRole and self._tooltip is not None:
            return self._tooltip(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self._numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
