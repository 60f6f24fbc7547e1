"""The Sync logs tab: the runs (filterable, with the selected run's detail) and the writeback
outbox, as two views of one tab."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from informz_console.ui.logs.runs_view import RunsView
from informz_console.ui.logs.writebacks_view import WritebacksView
from informz_console.ui.services import Services
from informz_console.ui.tabs.base import ConsoleTab


class SyncLogsTab(ConsoleTab):
    title = "Sync logs"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.runs = RunsView(services)
        self.writebacks = WritebacksView(services)
        self.views = QTabWidget()
        self.views.addTab(self.runs, "Runs")
        self.views.addTab(self.writebacks, "Writebacks")
        self.runs.counted.connect(lambda n: self.views.setTabText(0, f"Runs ({n:,})"))
        self.writebacks.counted.connect(
            lambda n: self.views.setTabText(1, f"Writebacks ({n:,})"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.views)

    def reload(self) -> None:
        self.runs.reload()
        self.writebacks.reload()

    def show_writebacks(self) -> None:
        self.views.setCurrentWidget(self.writebacks)

    def show_runs(self) -> None:
        self.views.setCurrentWidget(self.runs)

    def focus_find(self) -> None:
        """Ctrl+F: the search of the view shown (a run id or words of its error; an email)."""
        view = self.views.currentWidget()
        search = view.filters.search  # type: ignore[attr-defined]
        search.setFocus()
        search.selectAll()

    def prepare_screenshot(self) -> None:
        self.show_runs()
        self.runs.select_newest(open_first_reason=True)
