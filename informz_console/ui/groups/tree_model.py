"""The Qt model over a `GroupTree`: bridges, folders and target groups with their counts.

Read-only; `set_tree` swaps in a tree a job built. Index internal ids are node uids, so no
Python object has to outlive the tree it came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from informz_console.ui.groups.tree_nodes import BRIDGE, GROUP, BridgeRef, GroupNode, GroupTree

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Target group", "Members", "Excluded", "Kind", "Last sync", "List")
NAME, MEMBERS, EXCLUDED, KIND, LAST_SYNC, FRESHNESS = range(len(COLUMNS))
NUMERIC = (MEMBERS, EXCLUDED)
GROUP_ID_ROLE = Qt.ItemDataRole.UserRole + 10  # the group id (None for bridges and folders)
SORT_ROLE = Qt.ItemDataRole.UserRole + 11  # what the header sorts by
FILTER_ROLE = Qt.ItemDataRole.UserRole + 12  # a group's name; "" elsewhere (find matches groups)
BRIDGE_ROLE = Qt.ItemDataRole.UserRole + 13  # the node's bridge name
STALE, WARNING = QColor("#9a5b00"), QColor("#a61b1b")
AMS_NAMES = {"imis": "iMIS", "personify": "Personify360", "netforum": "netFORUM Pro",
             "idss": "iDSS"}


def when(at: datetime | None) -> str:
    return "" if at is None else f"{at.astimezone():%Y-%m-%d %H:%M}"


class GroupTreeModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tree = GroupTree(GroupNode(0, "root", "", BridgeRef("", "")), {}, {})
        self._icons: dict[QStyle.StandardPixmap, QIcon] = {}

    def set_tree(self, tree: GroupTree) -> None:
        self.beginResetModel()
        self.tree = tree
        self.endResetModel()

    def node(self, index: Index) -> GroupNode:
        if not index.isValid():
            return self.tree.root
        return self.tree.nodes[index.internalId()]

    def index_of_group(self, group_id: int) -> QModelIndex:
        node = self.tree.by_group.get(group_id)
        return QModelIndex() if node is None else self.createIndex(node.row, 0, node.uid)

    def index_of_bridge(self, name: str) -> QModelIndex:
        for node in self.tree.root.children:
            if node.name == name:
                return self.createIndex(node.row, 0, node.uid)
        return QModelIndex()

    # -- structure -------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self.node(parent).children[row].uid)

    def parent(self, index: Index | None = None) -> Any:  # type: ignore[override]
        if index is None:
            return QObject.parent(self)  # QObject.parent(), which this name hides
        if not index.isValid():
            return QModelIndex()
        above = self.node(index).parent
        if above is None or above is self.tree.root:
            return QModelIndex()
        return self.createIndex(above.row, 0, above.uid)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- data ------------------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not self.hasIndex(index.row(), index.column(), index.parent()):
            return None
        node, column = self.node(index), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(node, column)
        if role == GROUP_ID_ROLE:
            return node.group_id
        if role == BRIDGE_ROLE:
            return node.bridge.name
        if role == FILTER_ROLE:
            return node.name if node.kind == GROUP else ""
        if role == SORT_ROLE:
            return self._sort_key(node, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._color(node, column)
        if role == Qt.ItemDataRole.FontRole and node.kind == BRIDGE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == NAME:
            return self._icon(node)
        return None

    def _text(self, node: GroupNode, column: int) -> str:
        counts = node.counts
        if counts is None:
            if column == KIND and node.kind == BRIDGE:
                return AMS_NAMES.get(node.bridge.kind, node.bridge.kind)
            if column == MEMBERS and node.kind == BRIDGE:
                return f"{node.groups:,} group{'s' if node.groups != 1 else ''}"
            return node.name if column == NAME else ""
        return {
            NAME: counts.name,
            MEMBERS: f"{counts.members:,}",
            EXCLUDED: "" if counts.last_run_id is None else f"{counts.excluded_total:,}",
            KIND: counts.kind,
            LAST_SYNC: when(counts.last_synced_at) or "never",
            FRESHNESS: ("Stale" if counts.stale else "Current") if counts.regeneration else "",
        }[column]

    def _sort_key(self, node: GroupNode, column: int) -> Any:
        counts = node.counts
        if column == NAME or counts is None:
            rank = "1" if node.kind == GROUP else "0"  # folders before groups
            return rank + node.name.lower()
        if column == MEMBERS:
            return counts.members
        if column == EXCLUDED:
            return counts.excluded_total if counts.last_run_id is not None else -1
        return self._text(node, column)

    def _tooltip(self, node: GroupNode, column: int) -> str | None:
        counts = node.counts
        if counts is None:
            what = "bridge" if node.kind == BRIDGE else f"folder {node.path}"
            return f"{node.groups:,} target groups in this {what}"
        lines = [f"{counts.name} — {counts.remote_key}"]
        if node.drift is not None:
            lines.append(f"Count drift: {node.drift.sentence()}")
        if counts.regeneration:
            state = ("stale: not regenerated within its frequency" if counts.stale
                     else "regenerated within its frequency")
            lines.append(f"Personify list {state} ({counts.regeneration}).")
        if counts.fetched is not None:
            lines.append(f"Latest resync: {counts.fetched:,} fetched, "
                         f"{counts.excluded_total:,} excluded (run #{counts.last_run_id}).")
        return "\n".join(lines)

    def _color(self, node: GroupNode, column: int) -> QColor | None:
        if node.counts is None:
            return None
        if column == FRESHNESS and node.counts.stale:
            return STALE
        if column == MEMBERS and node.drift is not None:
            return WARNING
        return None

    def _icon(self, node: GroupNode) -> QIcon:
        pixmap = QStyle.StandardPixmap
        if node.kind == BRIDGE:
            which = pixmap.SP_DriveNetIcon
        elif node.kind != GROUP:
            which = pixmap.SP_DirIcon
        elif node.drift is not None or (node.counts is not None and node.counts.stale):
            which = pixmap.SP_MessageBoxWarning
        else:
            which = pixmap.SP_FileIcon
        if which not in self._icons:
            self._icons[which] = QApplication.style().standardIcon(which)
        return self._icons[which]
