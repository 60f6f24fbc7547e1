"""The bridges of the mirror as a small table (a mirror holds a handful of bridges)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from informz_console.sync.bridges import BridgeInfo
from informz_console.ui.bridges.kind_fields import KIND_LABELS, secret_noun

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Name", "Kind", "Active", "Password / key", "Groups", "Endpoint")
SECRET_COLUMN, GROUPS_COLUMN, ENDPOINT_COLUMN = 3, 4, 5
MISSING = QColor("#a61b1b")
INACTIVE = QColor("#777777")
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def secret_state_text(has_secret: bool, secure: bool) -> str:
    """Whether a password is stored, never what it is."""
    if not has_secret:
        return "Not set"
    return "Stored in keyring" if secure else "Stored for this session only"


class BridgeListModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.bridges: list[BridgeInfo] = []
        self.secure = True

    def set_bridges(self, bridges: list[BridgeInfo], secure: bool) -> None:
        self.beginResetModel()
        self.bridges = sorted(bridges, key=lambda b: b.name.casefold())
        self.secure = secure
        self.endResetModel()

    def row_of(self, name: str) -> int | None:
        wanted = name.casefold()
        return next((i for i, b in enumerate(self.bridges) if b.name.casefold() == wanted), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.bridges)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.bridges):
            return None
        info = self.bridges[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(info, index.column())
        if role == NAME_ROLE:
            return info.name
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.column() == SECRET_COLUMN and not info.has_secret:
                return MISSING
            return None if info.active else INACTIVE
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == ENDPOINT_COLUMN:
            return self._text(info, ENDPOINT_COLUMN) or None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == SECRET_COLUMN:
            return (f"The {secret_noun(info.kind)} is never shown and never kept in "
                    "the mirror.")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == GROUPS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, info: BridgeInfo, column: int) -> str:
        return (
            info.name,
            KIND_LABELS.get(info.kind, info.kind),
            "Yes" if info.active else "No",
            secret_state_text(info.has_secret, self.secure),
            f"{info.groups:,}",
            str(info.settings.get("site_url", "")),
        )[column]
