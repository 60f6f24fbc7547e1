"""iMIS IPM (seed 004): tick which UD checkbox fields become remote interests, each an
interest-based target group of the people whose box is checked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)


class InterestsDialog(QDialog):
    def __init__(self, bridge: str, fields: list[str], chosen: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InterestsDialog")
        self.setWindowTitle(f"Remote interests of {bridge}")
        intro = QLabel("Tick the UD checkbox fields that should become interest-based target "
                       "groups (the people whose box is checked). Refresh the target group "
                       "list afterwards to see them.")
        intro.setWordWrap(True)
        self.fields = QListWidget()
        wanted = {c.casefold() for c in chosen}
        # a chosen field iMIS no longer has stays listed, so unticking it is possible
        for name in fields + [c for c in chosen if c.casefold() not in
                              {f.casefold() for f in fields}]:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name.casefold() in wanted
                               else Qt.CheckState.Unchecked)
            self.fields.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.fields, 1)
        layout.addWidget(buttons)
        self.resize(460, 380)

    def chosen(self) -> list[str]:
        return [self.fields.item(i).text() for i in range(self.fields.count())
                if self.fields.item(i).checkState() == Qt.CheckState.Checked]
