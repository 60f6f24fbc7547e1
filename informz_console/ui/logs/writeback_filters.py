"""The writebacks view's filters: state (with counts), bridge, and a search."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from informz_console.store.queries.writebacks import STATES
from informz_console.ui.logs import format as fmt

TYPING_PAUSE_MS = 300


class WritebackFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = QComboBox()
        self.bridge = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Email, AMS id or text in the error")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.state.addItem("Any state", None)
        for state in STATES:
            self.state.addItem(fmt.words(state), state)
        self.bridge.addItem("All bridges", None)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for combo, chars in ((self.state, 14), (self.bridge, 16)):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(chars)
            layout.addWidget(combo)  # each names itself: "Any state (12)", "All bridges"
        layout.addWidget(self.search, 1)
        self.state.currentIndexChanged.connect(self.changed)
        self.bridge.currentIndexChanged.connect(self.changed)
        self.search.textChanged.connect(self._typing.start)
        self.search.returnPressed.connect(self._search_now)
        self._typing.timeout.connect(self.changed)

    def _search_now(self) -> None:
        self._typing.stop()
        self.changed.emit()

    def set_bridges(self, names: list[str]) -> None:
        current = self.bridge.currentData()
        self.bridge.blockSignals(True)
        self.bridge.clear()
        self.bridge.addItem("All bridges", None)
        for name in names:
            self.bridge.addItem(name, name)
        self.bridge.setCurrentIndex(max(self.bridge.findData(current), 0))
        self.bridge.blockSignals(False)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show how many writebacks each state holds next to its name."""
        total = sum(counts.values())
        self.state.setItemText(0, f"Any state ({total:,})")
        for index, state in enumerate(STATES, start=1):
            self.state.setItemText(index, f"{fmt.words(state)} ({counts.get(state, 0):,})")

    @property
    def chosen_state(self) -> str | None:
        return self.state.currentData()

    @property
    def chosen_bridge(self) -> str | None:
        return self.bridge.currentData()

    def select_state(self, state: str | None) -> None:
        self.state.setCurrentIndex(max(self.state.findData(state), 0))
