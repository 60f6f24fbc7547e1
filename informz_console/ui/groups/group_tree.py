"""The groups tree view: sortable, filtered by name, and keeping the selection across reloads."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from informz_console.ui.groups.tree_model import (
    FILTER_ROLE,
    NAME,
    SORT_ROLE,
    GroupTreeModel,
)
from informz_console.ui.groups.tree_nodes import GroupNode, GroupTree

WIDTHS = (280, 84, 74, 110, 128, 64)


class GroupTreeView(QTreeView):
    """Emits `selected(node)` when the current row changes (None when nothing is selected)."""

    selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = GroupTreeModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setRecursiveFilteringEnabled(True)  # a folder shows while a group in it does
        self.proxy.setFilterRole(FILTER_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSortingEnabled(True)
        self.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        header = self.header()
        header.setStretchLastSection(False)
        for column, width in enumerate(WIDTHS):
            header.resizeSection(column, width)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self._quiet = False
        self.selectionModel().currentRowChanged.connect(self._current_changed)

    def set_tree(self, tree: GroupTree, keep_group: int | None, keep_bridge: str | None) -> None:
        """Show a new tree, expanded, with the same group (or bridge) selected as before;
        `selected` is emitted once, after."""
        self._quiet = True
        try:
            self.source.set_tree(tree)
            self.expandAll()
            if keep_group is None or not self.select_group(keep_group):
                self._select(self.source.index_of_bridge(keep_bridge or ""))
        finally:
            self._quiet = False
        self.selected.emit(self.current_node())

    def filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.expandAll()

    def select_group(self, group_id: int) -> bool:
        return self._select(self.source.index_of_group(group_id))

    def current_node(self) -> GroupNode | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        return self.source.node(self.proxy.mapToSource(index))

    def _select(self, source_index: QModelIndex) -> bool:
        index = self.proxy.mapFromSource(source_index)
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet:
            return
        self.selected.emit(self.source.node(self.proxy.mapToSource(current))
                           if current.isValid() else None)
