"""The iDSS contacts tab (placeholder until its issue part lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from informz_console.ui.tabs.base import ConsoleTab


class IdssTab(ConsoleTab):
    title = "iDSS contacts"

    def __init__(self, services, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(services, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("iDSS contacts"))
