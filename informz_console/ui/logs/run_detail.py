"""The detail of the selected run: what it was, its counts, its error, its log lines and its
exclusions by reason (each reason opens the records it excluded)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from informz_console.store.queries.runs import RunDetail, RunRow
from informz_console.ui.logs import format as fmt
from informz_console.ui.logs.error_box import ErrorBox
from informz_console.ui.logs.exclusions_panel import ExclusionsPanel
from informz_console.ui.logs.static_model import StaticTableModel
from informz_console.ui.logs.tables import set_widths, table
from informz_console.ui.services import Services

LEVEL_COLORS = {"error": fmt.RED, "warning": fmt.AMBER}
EMPTY = "Select a run to see its log lines, exclusions and error."


def _facts(run: RunRow) -> str:
    parts = [fmt.kind(run.kind), f"trigger: {fmt.words(run.trigger)}", fmt.mode(run.mode),
             fmt.words(run.status), f"started {fmt.when(run.started_at)} UTC"]
    if run.duration_s is not None:
        parts.append(f"took {fmt.duration(run.duration_s)}")
    return "  ·  ".join(parts)


def _counts(run: RunRow) -> str:
    parts = [f"{label} <b>{fmt.count(n)}</b>" for label, n in (
        ("Fetched", run.fetched), ("Added", run.added), ("Updated", run.updated),
        ("Removed", run.removed), ("Excluded", run.excluded), ("Members after", run.members_after),
    ) if n is not None]
    return "&nbsp;&nbsp;·&nbsp;&nbsp;".join(parts)


class RunDetailPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run: RunRow | None = None
        self.title = QLabel()
        self.title.setStyleSheet("font-size:15px; font-weight:600;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.counts = QLabel()
        self.error = ErrorBox()
        self.log = StaticTableModel(("Time (UTC)", "Level", "Message"),
                                    color=lambda row: LEVEL_COLORS.get(row[1]),
                                    tooltip=lambda row, _column: row[2])
        self.log_view = table(self.log)
        set_widths(self.log_view, (80, 60))
        self.exclusions = ExclusionsPanel(services)
        self.empty = QLabel(EMPTY)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color:#6b6b6b;")
        self._layout()

    def _layout(self) -> None:
        content = QWidget()
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 4, 0, 0)
        box.addWidget(self.title)
        box.addWidget(self.facts)
        box.addWidget(self.counts)
        box.addWidget(self.error)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(_boxed("Log", self.log_view))
        split.addWidget(_boxed("Exclusions", self.exclusions))
        split.setSizes([620, 620])
        box.addWidget(split, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    def show_detail(self, detail: RunDetail | None) -> None:
        if detail is None:
            self.clear()
            return
        run = self.run = detail.run
        where = f"{run.bridge} / {run.group}" if run.group else run.bridge
        self.title.setText(f"Run #{run.id}  ·  {where}")
        self.facts.setText(_facts(run))
        self.counts.setText(_counts(run))
        self.error.show_error(run.status, run.error)
        self.log.set_rows([(f"{at:%H:%M:%S}", level, message) for at, level, message in detail.log])
        self.exclusions.show_reasons(run.id, detail.excluded_by_reason)
        self.pages.setCurrentIndex(1)

    def clear(self) -> None:
        self.run = None
        self.error.show_error("", None)
        self.log.set_rows([])
        self.exclusions.show_reasons(None, {})
        self.pages.setCurrentIndex(0)


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    group = QGroupBox(title)
    layout = QVBoxLayout(group)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(widget)
    return group
