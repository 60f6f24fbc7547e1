"""The sync log's filters: bridge, status, trigger, since when, and a search for a run id or
words in its error, target group or log lines. Any change emits `changed`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from informz_console.store.queries.run_rows import FilterChoices, RunFilter
from informz_console.ui.logs import format as fmt
from informz_console.ui.logs.since_filter import SinceFilter

TYPING_PAUSE_MS = 300  # search once the user pauses, not on every key


def _fill(combo: QComboBox, any_label: str, values: Sequence[str],
          label: Callable[[str], str] = str) -> None:
    """Replace the choices, keeping the current one when it is still there."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(any_label, None)
    for value in values:
        combo.addItem(label(value), value)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


class RunFilterBar(QWidget):
    changed = Signal()

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = QComboBox()
        self.status = QComboBox()
        self.trigger = QComboBox()
        self.since = SinceFilter(now)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Run # or text in its error, group or log")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        for combo, chars, tip in ((self.bridge, 12, "Only the runs of this bridge"),
                                  (self.status, 9, "Only the runs that ended this way"),
                                  (self.trigger, 9, "Only the runs started by this trigger")):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
            combo.setToolTip(tip)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._layout()
        self.set_choices(FilterChoices([], []))
        self._connect()

    def _layout(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.bridge, self.status, self.trigger, self.since):
            layout.addWidget(widget)  # each names itself: "All bridges", "Any status"...
        layout.addSpacing(4)
        layout.addWidget(self.search, 1)

    def _connect(self) -> None:
        for combo in (self.bridge, self.status, self.trigger):
            combo.currentIndexChanged.connect(self.changed)
        self.since.changed.connect(self.changed)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self._search_now)
        self._typing.timeout.connect(self.changed)

    def _search_now(self) -> None:
        self._typing.stop()
        self.changed.emit()

    def set_choices(self, choices: FilterChoices) -> None:
        _fill(self.bridge, "All bridges", choices.bridges)
        _fill(self.status, "Any status", choices.statuses, fmt.words)
        _fill(self.trigger, "Any trigger", choices.triggers, fmt.words)

    def current(self) -> RunFilter:
        return RunFilter(self.bridge.currentData(), self.status.currentData(),
                         self.trigger.currentData(), self.since.since(), self.search.text())
