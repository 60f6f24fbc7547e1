"""A table over a large result: an ordered key list, rows fetched in blocks when shown.

The model holds only the keys (a million ints is a few MB); `fetch_rows(keys)` reads one block
of rows from the mirror when the view first asks for a cell in it, and a small LRU of blocks
keeps scrolling back cheap. A block is a primary-key lookup of a few hundred rows, so it is
fine on the GUI thread; producing the key list itself (a query over the whole group) is a job.

A block that cannot be read shows "—" and a disabled row rather than raising inside `data()`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from sqlalchemy.exc import SQLAlchemyError

from informz_console.ui.columns_model import ColumnsModel

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
Row = tuple[Any, ...]
FetchRows = Callable[[Sequence[Hashable]], dict[Hashable, Row]]

KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's key (subscriber id, run id, ...)
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the whole row tuple
PLACEHOLDER = "—"


class LazyTableModel(ColumnsModel):
    BLOCK = 256
    CACHED_BLOCKS = 64

    def __init__(self, columns: Sequence[str], fetch_rows: FetchRows,
                 parent: Any = None) -> None:
        super().__init__(columns, parent)
        self._fetch_rows = fetch_rows
        self._keys: Sequence[Hashable] = ()
        self._blocks: OrderedDict[int, list[Row | None]] = OrderedDict()

    # -- what callers use ----------------------------------------------------------------

    def set_keys(self, keys: Sequence[Hashable]) -> None:
        self.beginResetModel()
        self._keys = keys
        self._blocks.clear()
        self.endResetModel()

    def refresh(self) -> None:
        """Forget cached rows (the mirror changed); the keys stay."""
        self._blocks.clear()
        if self._keys:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._keys) - 1, len(self._columns) - 1))

    def key_at(self, row: int) -> Hashable | None:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def row_at(self, row: int) -> Row | None:
        if not 0 <= row < len(self._keys):
            return None
        block = self._block(row // self.BLOCK)
        return block[row % self.BLOCK]

    # -- hooks for subclasses ------------------------------------------------------------

    def display(self, row: Row, column: int) -> Any:
        value = row[column]
        return "" if value is None else value

    def foreground(self, row: Row) -> Any:  # a QColor/QBrush for the whole row, or None
        return None

    def tooltip(self, row: Row, column: int) -> str | None:
        return None

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return None

    # -- Qt's interface ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._keys)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.row_at(index.row()) is None:
            return Qt.ItemFlag.NoItemFlags  # a row that could not be read
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not self.hasIndex(index.row(), index.column()):
            return None
        if role == KEY_ROLE:
            return self._keys[index.row()]
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return PLACEHOLDER if row is None else self.display(row, index.column())
        if row is None:
            return None
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = self.alignment(index.column())
            return None if align is None else int(align | Qt.AlignmentFlag.AlignVCenter)
        return None

    # -- the block cache -----------------------------------------------------------------

    def _block(self, number: int) -> list[Row | None]:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        keys = self._keys[number * self.BLOCK:(number + 1) * self.BLOCK]
        try:
            found = self._fetch_rows(list(keys))
        except SQLAlchemyError:
            log.exception("reading rows %d.. failed", number * self.BLOCK)
            found = {}
        block = [found.get(key) for key in keys]
        self._blocks[number] = block
        if len(self._blocks) > self.CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return block
