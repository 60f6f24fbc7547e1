"""A window listing the rows behind a count, however many: the key list is read in a job, the
rows a block at a time as they scroll into view, and Export to CSV writes them in a job."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from informz_console.store.queries.group_rows import RowSet
from informz_console.ui.groups.csv_export import export_csv
from informz_console.ui.groups.rows_model import RowSetModel
from informz_console.ui.jobs import Job
from informz_console.ui.row_table import row_table
from informz_console.ui.services import Services

WIDTHS = {"Email": 240, "AMS id": 90, "Reason": 200, "Detail": 240, "Target group": 170,
          "First name": 110, "Last name": 130, "Status": 90, "Request": 320,
          "System error": 260, "At (UTC)": 130}


class RowsDialog(QDialog):
    def __init__(self, services: Services, rows: RowSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.rows = services, rows
        self.setWindowTitle(rows.title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(980, 560)
        self.model = RowSetModel(services, rows, self)
        self.summary = QLabel("Listing the rows…")
        self.table = row_table(self.model, [WIDTHS.get(name, 140) for name in rows.columns])
        self.export_button = QPushButton("Export to CSV…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.ask_export)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.keys: Sequence[int] = ()
        self.keys_job: Job | None = None
        self.export_job: Job | None = None
        self._closed = False

    def load(self) -> Job:
        """List the keys in a job; the table fills when they arrive."""
        services, rows = self.services, self.rows  # the work must not touch the widget

        def keys(_cancel, _progress) -> Sequence[int]:  # type: ignore[no-untyped-def]
            with services.session() as session:
                return rows.keys(session)

        self.keys_job = services.jobs.submit(f"Listing {rows.title}", keys,
                                             on_done=self._show_keys, on_error=self._failed)
        return self.keys_job

    def _show_keys(self, keys: Sequence[int]) -> None:
        self.keys = keys
        self.model.set_keys(keys)
        self.summary.setText(f"{len(keys):,} row{'s' if len(keys) != 1 else ''}: "
                             f"{self.rows.title}")
        self.export_button.setEnabled(len(keys) > 0)

    def _failed(self, sentence: str) -> None:
        self.summary.setText(f"The rows could not be listed: {sentence}")

    # -- export ----------------------------------------------------------------------------

    def ask_export(self) -> None:
        suggested = str(Path.home() / f"{self.rows.file_stem}.csv")
        path, _ = QFileDialog.getSaveFileName(self, "Export to CSV", suggested,
                                              "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> Job:
        def tell(level: str, sentence: str) -> None:
            self.services.events.message.emit(level, sentence)
            if not self._closed:
                self.summary.setText(sentence)

        self.export_job = export_csv(self.services, self.rows, self.keys, path, tell)
        return self.export_job

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """A key list still being read is not wanted any more; an export runs on."""
        self._closed = True
        if self.keys_job is not None and self.keys_job.running:
            self.keys_job.stale = True
            self.keys_job.cancel()
        super().closeEvent(event)
