"""One sentence for the user above the tabs: an error, a warning or a result. Never modal,
so a failed background job cannot block the window (or a headless test)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

STYLES = {
    "error": "background:#fde8e8; color:#8a1c1c; border:1px solid #f0b4b4;",
    "warning": "background:#fff6dd; color:#6b4e00; border:1px solid #f0d98a;",
    "info": "background:#e8f1fd; color:#17406d; border:1px solid #b4cdf0;",
}


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.level = ""
        self.hide()

    def show_message(self, level: str, sentence: str) -> None:
        self.level = level
        self.setStyleSheet(f"#MessageBar {{{STYLES.get(level, STYLES['info'])} "
                           "border-radius:4px;} QLabel {border:none; background:transparent;}")
        self.label.setText(sentence)
        self.show()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
