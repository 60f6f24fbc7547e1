"""The writeback outbox (issue 5): every change waiting for, or sent to, an AMS, with its state,
attempts and last error; "Deliver now" sends what is due, "Retry failed" puts failed ones back
to ready. Both act on the bridge chosen in the filter, or on every bridge."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from informz_console.store.queries.run_rows import filter_choices
from informz_console.store.queries.writebacks import state_counts, writeback_ids
from informz_console.sync.outbox import DeliveryReport, deliver_due, retry_failed
from informz_console.ui.logs.tables import set_widths, table
from informz_console.ui.logs.writeback_filters import WritebackFilterBar
from informz_console.ui.logs.writebacks_model import WIDTHS, WritebacksModel
from informz_console.ui.services import Services

HINT = ("Changes for the AMS wait here until delivered; a transient error is retried with "
        "backoff, an error retrying cannot fix leaves the writeback Failed.")


@dataclass(frozen=True)
class Outbox:
    ids: list[int]
    counts: dict[str, int]
    bridges: list[str]


def _report_level(report: DeliveryReport) -> str:
    if report.failed:
        return "error"
    return "warning" if report.errors else "info"


def _report_sentence(report: DeliveryReport) -> str:
    sentence = report.sentence()
    if report.errors:
        row_id, bridge, kind, why = report.errors[0]
        which = f"writeback #{row_id}" if row_id is not None else "writebacks"
        sentence += f" First problem: {which} ({bridge}, {kind}): {why}"
    return sentence


class WritebacksView(QWidget):
    counted = Signal(int)  # how many writebacks the filters let through

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.filters = WritebackFilterBar()
        self.model = WritebacksModel(services, self)
        self.table = table(self.model)
        set_widths(self.table, WIDTHS)
        self.deliver = QPushButton("Deliver now")
        self.deliver.setToolTip("Send every due writeback (of the bridge chosen above) to its AMS")
        self.retry = QPushButton("Retry failed")
        self.retry.setToolTip("Put failed writebacks (of the bridge chosen above) back to "
                              "Ready; Deliver now then sends them")
        self.counts: dict[str, int] = {}
        self.about = QLabel(HINT)
        self.about.setWordWrap(True)
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.about.setStyleSheet("color:#4a4a4a;")
        self._layout()
        self.table.selectionModel().currentRowChanged.connect(self._describe)
        self.filters.changed.connect(self.reload)
        self.deliver.clicked.connect(self.deliver_now)
        self.retry.clicked.connect(self.retry_failed)

    def _layout(self) -> None:
        bottom = QHBoxLayout()
        bottom.addWidget(self.about, 1)
        bottom.addSpacing(12)
        bottom.addWidget(self.retry)
        bottom.addWidget(self.deliver)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def reload(self) -> None:
        state, bridge = self.filters.chosen_state, self.filters.chosen_bridge
        text = self.filters.search.text()

        def work(_cancel, _progress) -> Outbox:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return Outbox(writeback_ids(session, state=state, bridge=bridge, text=text),
                              state_counts(session, bridge=bridge),
                              filter_choices(session).bridges)

        self.services.jobs.submit("Reading the writeback outbox", work, on_done=self._show,
                                  key="logs-writebacks")

    def _show(self, outbox: Outbox) -> None:
        self.counts = outbox.counts
        self.filters.set_bridges(outbox.bridges)
        self.filters.set_counts(outbox.counts)
        self.model.set_keys(outbox.ids)
        self.about.setText(HINT)
        self.counted.emit(len(outbox.ids))
        self.retry.setEnabled(outbox.counts.get("failed", 0) > 0)

    def _describe(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        """The selected writeback in full (the table clips a long error)."""
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None:
            self.about.setText(HINT)
            return
        text = f"Writeback #{row.id}: {row.type} for {row.email or 'AMS id ' + str(row.ams_id)}"
        text += f" on {row.bridge}, {row.state}, {row.attempts} attempt"
        text += "s." if row.attempts != 1 else "."
        if row.last_error:
            text += f" Last error: {row.last_error}"
        self.about.setText(text)

    # -- actions ---------------------------------------------------------------------------

    def deliver_now(self) -> None:
        services, bridge = self.services, self.filters.chosen_bridge
        self.deliver.setEnabled(False)

        def work(_cancel, _progress) -> DeliveryReport:  # type: ignore[no-untyped-def]
            return deliver_due(services.engine, services.clock, services.credentials,
                               bridge=bridge)

        def done(report: DeliveryReport) -> None:
            services.events.message.emit(_report_level(report), _report_sentence(report))
            services.events.changed.emit()

        job = services.jobs.submit("Delivering writebacks", work, on_done=done,
                                   on_error=lambda why: services.events.message.emit(
                                       "error", why))
        job.finished.connect(lambda: self.deliver.setEnabled(True))

    def retry_failed(self) -> None:
        services, bridge = self.services, self.filters.chosen_bridge

        def work(_cancel, _progress) -> int:  # type: ignore[no-untyped-def]
            return retry_failed(services.engine, services.clock, bridge=bridge)

        def done(count: int) -> None:
            services.events.message.emit("info", f"{count:,} failed writeback"
                                         f"{'s' if count != 1 else ''} put back to Ready; "
                                         "Deliver now sends them.")
            services.events.changed.emit()

        services.jobs.submit("Retrying failed writebacks", work, on_done=done,
                             on_error=lambda why: services.events.message.emit("error", why))
