"""What a resync would add, update and remove (a dry run), before anything is applied; "Apply
(resync now)" runs the real resync of the same group."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from informz_console.sync.preview import PREVIEW_CAP
from informz_console.sync.requests import SyncResult
from informz_console.ui.groups.preview_model import PreviewModel
from informz_console.ui.row_table import row_table

WIDTHS = (140, 90, 240, 220)


def preview_sentence(group: str, result: SyncResult) -> str:
    c = result.counts
    after = f", leaving {c.members_after:,} members" if c.members_after is not None else ""
    return (f"A resync of {group!r} now would add {c.added:,}, update {c.updated:,} and remove "
            f"{c.removed:,} members{after} ({c.fetched:,} records fetched, {c.excluded:,} "
            f"excluded). Nothing has been applied.")


def totals_html(result: SyncResult) -> str:
    """The three numbers that matter, large and in their colours."""
    c = result.counts
    parts = [(f"+{c.added:,}", "to add", "#1e7b34"), (f"~{c.updated:,}", "to update", "#17406d"),
             (f"−{c.removed:,}", "to remove", "#a61b1b")]
    return "&nbsp;&nbsp;&nbsp;&nbsp;".join(
        f'<span style="color:{color}; font-size:large;"><b>{number}</b></span> {what}'
        for number, what, color in parts)


class PreviewDialog(QDialog):
    apply_requested = Signal(int)  # the group id to resync now

    def __init__(self, group_id: int, group: str, bridge: str, result: SyncResult,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group_id, self.result = group_id, result
        self.setWindowTitle(f"Preview: resync of {group!r} ({bridge})")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 520)
        self.totals = QLabel(totals_html(result))
        self.summary = QLabel(preview_sentence(group, result))
        self.summary.setWordWrap(True)
        self.model = PreviewModel(result.preview, self)
        self.table = row_table(self.model, WIDTHS)
        self.apply_button = QPushButton("Apply (resync now)")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self._apply)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.totals)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        if self._capped():
            layout.addWidget(QLabel(f"Showing the first {PREVIEW_CAP:,} changes of each kind; "
                                    "the counts above are exact."))
        layout.addWidget(buttons)

    def _capped(self) -> bool:
        c = self.result.counts
        shown = sum(1 for row in self.result.preview
                    if row.change in ("added", "updated", "removed"))
        return shown < c.added + c.updated + c.removed

    def _apply(self) -> None:
        self.apply_requested.emit(self.group_id)
        self.close()
