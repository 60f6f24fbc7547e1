"""The sync log's date filter: any date, today, the last 7 or 30 days, or since a chosen day
(the day's date edit shows only then). Days are UTC days, as the log's times are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QWidget

PERIODS = (("Any date", None), ("Today", 0), ("Last 7 days", 7), ("Last 30 days", 30),
           ("Since a day…", -1))  # days back; -1: the day in the date edit
CHOSEN_DAY = -1


def _midnight(day) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, time.min, tzinfo=UTC)


class SinceFilter(QWidget):
    changed = Signal()

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self.period = QComboBox()
        for label, days in PERIODS:
            self.period.addItem(label, days)
        self.period.setToolTip("Only the runs started since then (UTC)")
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setDate(QDate(now().date() - timedelta(days=7)))
        self.day.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.period)
        layout.addWidget(self.day)
        self.period.currentIndexChanged.connect(self._period_chosen)
        self.day.dateChanged.connect(lambda _: self.changed.emit())

    def _period_chosen(self) -> None:
        self.day.setVisible(self.period.currentData() == CHOSEN_DAY)
        self.changed.emit()

    def choose(self, days: int | None) -> None:
        """Choose a period by its days back (None: any date; CHOSEN_DAY: the date edit's)."""
        self.period.setCurrentIndex(max(self.period.findData(days), 0))

    def since(self) -> datetime | None:
        days = self.period.currentData()
        if days is None:
            return None
        if days == CHOSEN_DAY:
            return _midnight(self.day.date().toPython())
        return _midnight(self._now().date() - timedelta(days=days))
