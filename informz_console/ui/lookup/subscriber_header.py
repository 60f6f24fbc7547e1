"""The top of a subscriber's page: who it is, its status and why, where it came from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from informz_console.store.queries.subscriber import SubscriberCard
from informz_console.ui.logs import format as fmt
from informz_console.ui.lookup.status_badge import StatusBadge

SOURCES = {"sync": "a sync from the AMS", "upload": "an uploaded list"}


def _selectable(label: QLabel) -> QLabel:
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SubscriberHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.email = _selectable(QLabel())
        self.email.setStyleSheet("font-size:16px; font-weight:600;")
        self.who = _selectable(QLabel())
        self.badge = StatusBadge()
        self.reason = _selectable(QLabel())
        self.reason.setWordWrap(True)
        self.links = _selectable(QLabel())
        self.origin = QLabel()
        self.origin.setStyleSheet("color:#6b6b6b;")
        top = QHBoxLayout()
        top.addWidget(self.email)
        top.addSpacing(10)
        top.addWidget(self.badge)
        top.addStretch(1)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(3)
        grid.addLayout(top, 0, 0, 1, 2)
        grid.addWidget(self.who, 1, 0, 1, 2)
        for row, (label, value) in enumerate((("Status", self.reason),
                                               ("AMS ids", self.links)), start=2):
            title = QLabel(label)
            title.setStyleSheet("color:#6b6b6b;")
            grid.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
        grid.addWidget(self.origin, 4, 0, 1, 2)
        grid.setColumnStretch(1, 1)

    def show_card(self, card: SubscriberCard) -> None:
        self.email.setText(card.email)
        self.who.setText(" · ".join(p for p in (card.name, card.company) if p) or "(no name)")
        self.badge.show_status(card.status)
        self.reason.setText(self.status_sentence(card))
        self.links.setText("   ".join(f"{link.bridge}: <b>{link.ams_id}</b>"
                                      for link in card.links) or "not linked to any AMS record")
        self.origin.setText(f"Came from {SOURCES.get(card.source, card.source)} on "
                            f"{fmt.when(card.created_at, seconds=False)} UTC · last changed "
                            f"{fmt.when(card.updated_at, seconds=False)} UTC")

    @staticmethod
    def status_sentence(card: SubscriberCard) -> str:
        sentence = fmt.words(card.status)
        if card.status_reason:
            sentence += f": {card.status_reason}"
        if card.status_at is not None:
            sentence += f" (since {fmt.when(card.status_at, seconds=False)} UTC)"
        return sentence
