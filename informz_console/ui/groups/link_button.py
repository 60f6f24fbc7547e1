"""A number that opens the rows behind it: a flat button drawn as a hyperlink.

A button rather than a rich-text label, so it takes keyboard focus, reads as a button to
screen readers, and a test clicks it like a user does. A zero has no rows behind it: plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

LINK_STYLE = ("QPushButton {border:none; padding:0 2px; color:palette(link); text-align:right;"
              " text-decoration:underline; background:transparent;}"
              "QPushButton:disabled {color:palette(text); text-decoration:none;}"
              "QPushButton:focus {outline:1px dotted palette(link);}")


class LinkButton(QPushButton):
    def __init__(self, text: str = "", tooltip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setFlat(True)
        self.setStyleSheet(LINK_STYLE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(tooltip)

    def set_count(self, count: int | None) -> None:
        self.setText("—" if count is None else f"{count:,}")
        self.setEnabled(bool(count))
        self.setCursor(Qt.CursorShape.PointingHandCursor if count
                       else Qt.CursorShape.ArrowCursor)
