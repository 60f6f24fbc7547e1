"""Lines of a small report in a grid: a coloured mark, wrapped text, a count link, a note."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel

from informz_console.ui.groups.link_button import LinkButton

MUTED = "palette(placeholder-text)"


def line_grid() -> QGridLayout:
    grid = QGridLayout()
    grid.setColumnStretch(1, 1)
    grid.setVerticalSpacing(2)
    grid.setAlignment(Qt.AlignmentFlag.AlignTop)
    return grid


def clear(grid: QGridLayout) -> None:
    while grid.count():
        item = grid.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()  # at once: deleteLater waits for the event loop
            item.widget().deleteLater()


def heading(grid: QGridLayout, row: int, text: str) -> int:
    """A bold heading across the grid; returns the next row."""
    label = QLabel(f"<b>{text}</b>")
    label.setWordWrap(True)
    label.setContentsMargins(0, 6 if row else 0, 0, 0)
    grid.addWidget(label, row, 0, 1, 4)
    return row + 1


def line(grid: QGridLayout, row: int, mark: str, text: str, color: str | None = None,
         link: LinkButton | None = None, note: str = "") -> QLabel:
    """One line: `mark` in `color`, the text (wrapped, selectable), a count link, a note."""
    bullet = QLabel(mark)
    if color:
        bullet.setStyleSheet(f"color:{color};")
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    grid.addWidget(bullet, row, 0, Qt.AlignmentFlag.AlignTop)
    grid.addWidget(label, row, 1)
    if link is not None:
        grid.addWidget(link, row, 2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    if note:
        muted = QLabel(note)
        muted.setStyleSheet(f"color:{MUTED};")
        grid.addWidget(muted, row, 3, Qt.AlignmentFlag.AlignTop)
    return label
