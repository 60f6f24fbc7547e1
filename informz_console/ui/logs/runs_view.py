"""The runs of the sync log with their filters above and the selected run's detail below.

Every read is a job with a key, so a slow answer to an older filter is dropped rather than
overwriting the newer one; the table holds run ids only and reads rows as they are shown.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QSplitter, QVBoxLayout, QWidget

from informz_console.store.queries.run_rows import FilterChoices, filter_choices, run_ids
from informz_console.store.queries.runs import RunDetail, run_detail
from informz_console.ui.logs.run_detail import RunDetailPane
from informz_console.ui.logs.run_filters import RunFilterBar
from informz_console.ui.logs.runs_model import GROUP, WIDTHS, RunsModel
from informz_console.ui.logs.tables import set_widths, table
from informz_console.ui.services import Services


class RunsView(QWidget):
    counted = Signal(int)  # how many runs the filters let through

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.filters = RunFilterBar(services.clock.now)
        self.model = RunsModel(services, self)
        self.table = table(self.model)
        set_widths(self.table, WIDTHS)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(GROUP, QHeaderView.ResizeMode.Stretch)
        self.detail = RunDetailPane(services)
        self.table.setMinimumHeight(90)
        self.detail.setMinimumHeight(160)  # a small window scrolls and clips, never refuses
        self._wanted: int | None = None  # the run to select once the ids arrive
        self._layout()
        self.filters.changed.connect(self.load_runs)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

    def _layout(self) -> None:
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.filters)
        layout.addWidget(split, 1)

    # -- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        def work(_cancel, _progress) -> FilterChoices:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return filter_choices(session)

        self.services.jobs.submit("Reading the sync log's filters", work,
                                  on_done=self.filters.set_choices, key="logs-run-choices")
        self.load_runs()

    def load_runs(self) -> None:
        wanted = self.filters.current()
        if self._wanted is None:
            self._wanted = self.selected_run()

        def work(_cancel, _progress) -> list[int]:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return run_ids(session, wanted)

        self.services.jobs.submit("Reading the sync log", work, on_done=self._show_runs,
                                  key="logs-run-ids")

    def _show_runs(self, ids: list[int]) -> None:
        wanted, self._wanted = self._wanted, None
        self.model.set_keys(ids)
        self.counted.emit(len(ids))
        if wanted is not None and wanted in ids:
            self.select_run(wanted)
        else:
            self.detail.clear()

    # -- selection -------------------------------------------------------------------------

    def selected_run(self) -> int | None:
        index = self.table.currentIndex()
        key = self.model.key_at(index.row()) if index.isValid() else None
        return int(key) if key is not None else None  # type: ignore[call-overload]

    def select_run(self, run_id: int) -> bool:
        """Select a run shown in the table (its detail loads); False when it is not shown."""
        keys = [self.model.key_at(row) for row in range(self.model.rowCount())]
        if run_id not in keys:
            return False
        index = self.model.index(keys.index(run_id), 0)
        already = self.table.currentIndex().row() == index.row()
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        if already:  # no change signal: read its detail again (the mirror may have changed)
            self._current_changed(index)
        return True

    def select_newest(self, *, open_first_reason: bool = False) -> bool:
        """Select the newest run shown; with `open_first_reason`, also list the records of its
        most frequent exclusion reason once its detail has loaded."""
        key = self.model.key_at(0)
        if key is None:
            return False
        self.detail.exclusions.open_first = open_first_reason
        return self.select_run(int(key))  # type: ignore[call-overload]

    def _current_changed(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        key = self.model.key_at(index.row()) if index.isValid() else None
        if key is None:
            self.detail.clear()
            return
        run_id = int(key)  # type: ignore[call-overload]

        def work(_cancel, _progress) -> RunDetail | None:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return run_detail(session, run_id)

        self.services.jobs.submit(f"Reading run #{run_id}", work,
                                  on_done=self.detail.show_detail, key="logs-run-detail")
