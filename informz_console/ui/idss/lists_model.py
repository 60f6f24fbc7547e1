"""The distribution lists of the iDSS bridges as a two-level model: bridge, then its lists with
their member and failed-contact counts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from informz_console.store.queries.idss_contacts import IdssList
from informz_console.ui.idss.contacts_model import FAILED_TEXT

GROUP_ROLE = Qt.ItemDataRole.UserRole + 10  # a list row's target group id


class IdssListsModel(QStandardItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(["Distribution list", "Members", "Failed"])

    def show_lists(self, lists: list[IdssList]) -> None:
        self.removeRows(0, self.rowCount())
        bridges: dict[str, QStandardItem] = {}
        for item in lists:
            if item.bridge not in bridges:
                bridges[item.bridge] = _cell(item.bridge, selectable=False)
                self.appendRow([bridges[item.bridge], _cell("", False), _cell("", False)])
            bridges[item.bridge].appendRow(_list_row(item))

    def index_of(self, group_id: int | None) -> QModelIndex | None:
        """The name cell of the list with this target group id."""
        for bridge in range(self.rowCount()):
            parent = self.index(bridge, 0)
            for row in range(self.rowCount(parent)):
                index = self.index(row, 0, parent)
                if group_id is not None and index.data(GROUP_ROLE) == group_id:
                    return index
        return None


def _cell(text: str, selectable: bool = True) -> QStandardItem:
    item = QStandardItem(text)
    if not selectable:
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
    return item


def _list_row(item: IdssList) -> list[QStandardItem]:
    name = _cell(item.name)
    name.setData(item.group_id, GROUP_ROLE)
    name.setToolTip(f"{item.folder} / {item.name}" if item.folder else item.name)
    members, failed = _cell(f"{item.members:,}"), _cell(f"{item.failed:,}" if item.failed else "")
    for number in (members, failed):
        number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if item.failed:
        failed.setForeground(FAILED_TEXT)
        failed.setToolTip(f"{item.failed:,} members whose last sync failed")
    return [name, members, failed]
