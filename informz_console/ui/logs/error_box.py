"""A run's error where it cannot be missed: red for a failed run, amber for one cancelled or
interrupted (nothing of it was applied, but nothing is broken either)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

STYLES = {
    "error": "background:#fde8e8; color:#8a1c1c; border:1px solid #f0b4b4;",
    "warning": "background:#fff6dd; color:#6b4e00; border:1px solid #f0d98a;",
}
LEVELS = {"failed": "error", "cancelled": "warning", "interrupted": "warning"}


class ErrorBox(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level = ""
        self.hide()

    def show_error(self, status: str, error: str | None) -> None:
        """Show the run's error (or hide the box when there is none)."""
        if not error:
            self.level = ""
            self.clear()
            self.hide()
            return
        self.level = LEVELS.get(status, "error")
        title = "Failed" if status == "failed" else status.capitalize()
        self.setText(f"<b>{title}:</b> {_escape(error)}")
        self.setStyleSheet(f"QLabel {{{STYLES[self.level]} border-radius:4px; padding:6px;}}")
        self.show()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
