"""A subscriber's status as a coloured badge: green when active, amber or red when it keeps
the subscriber out of every group."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from informz_console.ui.logs import format as fmt

COLORS = {"active": "#1e7b34", "remote_unsubscribed": "#9a6200", "unsubscribed": "#9a6200",
          "opted_out": "#9a6200", "bad_email": "#a61b1b"}


class StatusBadge(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = ""

    def show_status(self, status: str) -> None:
        self.status = status
        self.setText(fmt.words(status))
        color = COLORS.get(status, "#6b6b6b")
        self.setStyleSheet(f"QLabel {{color:white; background:{color}; border-radius:3px;"
                           " padding:2px 8px; font-weight:600;}")
