"""What the main window expects of a tab: a title, a reload, and optional F5 / Ctrl+F."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QWidget

from informz_console.ui.services import Services


class ConsoleTab(QWidget):
    title: ClassVar[str] = ""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setObjectName(type(self).__name__)

    def reload(self) -> None:
        """Re-read what the tab shows from the mirror (large reads go through a job)."""

    def resync(self) -> None:
        """F5: the tab's one-click resync, when it has one."""

    def focus_find(self) -> None:
        """Ctrl+F: put the cursor in the tab's search field, when it has one."""

    def prepare_screenshot(self) -> None:
        """Before `--screenshot` grabs the tab: select something worth showing."""

    def tell(self, level: str, sentence: str) -> None:
        """Show one sentence in the window's message bar (level: info | warning | error)."""
        self.services.events.message.emit(level, sentence)
