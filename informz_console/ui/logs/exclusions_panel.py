"""One run's exclusions: the reasons with their counts, and the rows behind the chosen one."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QSplitter, QVBoxLayout, QWidget

from informz_console.store.queries.labels import reason_label
from informz_console.store.queries.run_rows import exclusion_ids
from informz_console.ui.logs import format as fmt
from informz_console.ui.logs.exclusions_model import WIDTHS, ExclusionsModel
from informz_console.ui.logs.static_model import StaticTableModel
from informz_console.ui.logs.tables import set_widths, table
from informz_console.ui.services import Services

REASON_CODE = 2  # the hidden code after the shown label and count


class ExclusionsPanel(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.run_id: int | None = None
        self.reason: str | None = None
        self.open_first = False  # list the first reason's records when the next run shows
        self.reasons = StaticTableModel(("Excluded because", "Records"), numeric=(1,))
        self.reasons_view = table(self.reasons, stretch_last=False)
        self.reasons_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.reasons_view.setToolTip("Click a reason to see the records it excluded")
        self.rows = ExclusionsModel(services, self)
        self.rows_view = table(self.rows)
        set_widths(self.rows_view, WIDTHS)
        self.rows_title = QLabel()
        self._layout()
        self.reasons_view.clicked.connect(self._reason_clicked)
        self.reasons_view.selectionModel().currentRowChanged.connect(self._reason_clicked)

    def _layout(self) -> None:
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.reasons_view)
        below = QWidget()
        box = QVBoxLayout(below)
        box.setContentsMargins(0, 4, 0, 0)
        box.addWidget(self.rows_title)
        box.addWidget(self.rows_view, 1)
        split.addWidget(below)
        split.setSizes([110, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def show_reasons(self, run_id: int | None, by_reason: dict[str, int]) -> None:
        """The reasons of a newly shown run; the rows wait for a click (the same run shown
        again, after the mirror changed, keeps its chosen reason)."""
        again = self.reason if run_id is not None and run_id == self.run_id else None
        self.run_id, self.reason = run_id, None
        ordered = sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))
        self.reasons.set_rows([(reason_label(code), fmt.count(n), code) for code, n in ordered])
        self.rows.set_keys([])
        total = sum(by_reason.values())
        self.rows_title.setText("Click a reason to see its records." if total else
                                "This run excluded no records.")
        codes = [code for code, _ in ordered]
        if again in codes:
            self.reasons_view.selectRow(codes.index(again))
        elif self.open_first and codes and run_id is not None:
            self.open_first = False
            self.reasons_view.selectRow(0)  # its current-row signal lists the records

    def choose_reason(self, code: str) -> None:
        """Load the exclusion rows of one reason of the shown run (ids in a job)."""
        run_id = self.run_id
        if run_id is None:
            return
        self.reason = code
        self.rows_title.setText(f"{reason_label(code)}: reading…")

        def work(_cancel, _progress) -> list[int]:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return exclusion_ids(session, run_id, code)

        self.services.jobs.submit(f"Reading exclusions of run #{run_id}", work,
                                  on_done=lambda ids: self._show_rows(code, ids),
                                  on_error=lambda why: self.rows_title.setText(why),
                                  key="logs-exclusion-rows")

    def _show_rows(self, code: str, ids: list[int]) -> None:
        self.rows.set_keys(ids)
        self.rows_title.setText(f"{reason_label(code)}: {len(ids):,} record"
                                f"{'s' if len(ids) != 1 else ''} excluded by run #{self.run_id}")

    def _reason_clicked(self, index: QModelIndex) -> None:
        row = self.reasons.row_at(index.row())
        if row is not None and row[REASON_CODE] != self.reason:
            self.choose_reason(row[REASON_CODE])
