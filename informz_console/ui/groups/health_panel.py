"""Sync health above the groups tree, for one bridge or all: what the latest resync of each
group excluded, by reason (each count opens its records); runs whose latest attempt failed and
contacts the AMS refused; and groups whose synced count drifted past the user's setting."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from informz_console.store.queries.group_rows import bridge_exclusions, contact_errors
from informz_console.store.queries.health import SyncHealth, latest_resync_ids, sync_health
from informz_console.sync.lookup import find_bridge
from informz_console.ui.groups.line_grid import MUTED, clear, heading, line, line_grid
from informz_console.ui.groups.link_button import LinkButton
from informz_console.ui.groups.reason_colors import reason_color
from informz_console.ui.groups.tree_model import when
from informz_console.ui.services import Services

ALL = "All bridges"
KINDS = {"resync_group": "Resync", "refresh_list": "List refresh", "partial": "Partial sync",
         "full": "Full refresh", "changes": "Change feed"}
ERROR, WARNING, GOOD = "#a61b1b", "#8a5a00", "#1e7b34"


class SyncHealthPanel(QFrame):
    open_rows = Signal(object)  # a RowSet
    group_chosen = Signal(int)  # a drift warning's group, to select in the tree

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.health: SyncHealth | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("<b>Sync health</b>")
        self.summary = QLabel()
        self.summary.setStyleSheet(f"color:{MUTED};")
        self.bridges = QComboBox()
        self.bridges.addItem(ALL)
        self.bridges.setToolTip("Which bridge's health to show")
        self.bridges.currentTextChanged.connect(lambda _: self.reload())
        self.body = QWidget()
        self.exclusions, self.problems = line_grid(), line_grid()
        columns = QHBoxLayout(self.body)
        columns.setContentsMargins(4, 0, 4, 4)
        columns.setSpacing(24)
        columns.addLayout(self.exclusions, 1)
        columns.addLayout(self.problems, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.summary, 1)
        head.addWidget(self.bridges)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)
        self.reason_links: dict[str, LinkButton] = {}
        self.drift_links: dict[int, LinkButton] = {}
        self.error_labels: list[QLabel] = []

    # -- scope -----------------------------------------------------------------------------

    @property
    def bridge(self) -> str | None:
        name = self.bridges.currentText()
        return None if name in ("", ALL) else name

    def set_bridges(self, names: list[str]) -> None:
        current = self.bridges.currentText()
        self.bridges.blockSignals(True)
        self.bridges.clear()
        self.bridges.addItems([ALL, *names])
        self.bridges.setCurrentText(current if current in names else ALL)
        self.bridges.blockSignals(False)

    def show_bridge(self, name: str | None) -> None:
        """Follow the tree: the selected node's bridge (reloads when it changes)."""
        if (name or ALL) != self.bridges.currentText():
            self.bridges.setCurrentText(name or ALL)  # reloads through the signal

    # -- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        services, name = self.services, self.bridge
        percent = services.settings.drift_warning_percent

        def read(_cancel, _progress) -> SyncHealth:  # type: ignore[no-untyped-def]
            with services.session() as session:
                bridge_id = find_bridge(session, name).id if name else None
                return sync_health(session, bridge_id, percent)

        services.jobs.submit("Reading sync health", read, on_done=self.show_health,
                             on_error=self._failed, key=f"groups-health-{id(self)}")

    def _failed(self, sentence: str) -> None:
        self.summary.setText(f"Sync health could not be read: {sentence}")

    def show_health(self, health: SyncHealth) -> None:
        self.health = health
        self._clear()
        self.summary.setText(self._summary(health))
        self._reasons(health)
        self._drift(health, self._errors(health))

    def _summary(self, health: SyncHealth) -> str:
        parts = [f"{health.excluded:,} records excluded",
                 f"{len(health.failed):,} failed run{'s' if len(health.failed) != 1 else ''}",
                 f"{len(health.drift):,} count warning{'s' if len(health.drift) != 1 else ''}"]
        return " · ".join(parts)

    # -- sections --------------------------------------------------------------------------

    def _clear(self) -> None:
        clear(self.exclusions)
        clear(self.problems)
        self.reason_links, self.drift_links, self.error_labels = {}, {}, []

    def _reasons(self, health: SyncHealth) -> None:
        grid = self.exclusions
        row = heading(grid, 0, "Excluded by the latest resync of each group")
        if not health.reasons:
            line(grid, row, "", "Nothing excluded.", MUTED)
            return
        scope = self.bridge or "all bridges"
        runs = latest_resync_ids(health.bridge_id)
        for total in health.reasons:
            link = LinkButton(tooltip=f"List the {total.records:,} records: {total.label}")
            link.set_count(total.records)
            rows = bridge_exclusions(runs, total.reason, scope)
            link.clicked.connect(lambda _=False, r=rows: self.open_rows.emit(r))
            groups = f"in {total.groups:,} group{'s' if total.groups != 1 else ''}"
            line(grid, row, "■", total.label, reason_color(total.reason), link, groups)
            self.reason_links[total.reason] = link
            row += 1

    def _errors(self, health: SyncHealth) -> int:
        grid = self.problems
        row = heading(grid, 0, "Errors")
        if not health.failed and not health.contact_errors:
            line(grid, row, "✓", "No failed runs and no refused contacts.", GOOD)
            return row + 1
        for run in health.failed:
            what = f"{KINDS.get(run.kind, run.kind)} of {run.group!r}" if run.group \
                else f"{KINDS.get(run.kind, run.kind)} of {run.bridge}"
            label = line(grid, row, "✖", f"{what} failed {when(run.started_at)} (run "
                               f"#{run.run_id}): {run.error}", ERROR)
            self.error_labels.append(label)
            row += 1
        scope = self.bridge or "all bridges"
        for total in health.contact_errors:
            link = LinkButton(tooltip="List the contacts the AMS refused")
            link.set_count(total.contacts)
            rows = contact_errors(health.bridge_id, total.system_error, scope)
            link.clicked.connect(lambda _=False, r=rows: self.open_rows.emit(r))
            line(grid, row, "✖", f"Contacts refused: {total.system_error}", ERROR, link,
                       "contacts")
            row += 1
        return row

    def _drift(self, health: SyncHealth, row: int) -> int:
        grid, percent = self.problems, self.services.settings.drift_warning_percent
        row = heading(grid, row, f"Count drift (more than {percent}% against the mean of "
                                 "the last five runs)")
        if not health.drift:
            line(grid, row, "✓", "No group's synced count moved that much.", GOOD)
            return row + 1
        for drift in health.drift:
            link = LinkButton("Show", tooltip=f"Select {drift.group!r} in the tree")
            link.clicked.connect(lambda _=False, g=drift.group_id: self.group_chosen.emit(g))
            line(grid, row, "⚠", drift.sentence(), WARNING, link)
            self.drift_links[drift.group_id] = link
            row += 1
        return row
