"""The read-only table the console shows rows in (a group's members, a preview's changes):
whole-row selection, one line a row and no per-row sizing, so a million rows cost nothing
until they are painted."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QHeaderView, QTableView


def row_table(model: QAbstractItemModel, widths: Sequence[int]) -> QTableView:
    """A table over `model` with these column widths (the last column stretches)."""
    table = QTableView()
    table.setModel(model)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 6)
    rows.hide()
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    return table
