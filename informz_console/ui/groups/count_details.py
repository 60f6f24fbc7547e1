"""Count details of one target group: what its latest live resync fetched from the AMS, how
many are synced members, and why the rest were excluded (seed 000: "Why isn't my target group
count what I think it should be?"). Each number opens the rows behind it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from informz_console.store.queries.counts import GroupCounts
from informz_console.store.queries.drift import CountDrift
from informz_console.store.queries.group_rows import RowSet, group_members, run_exclusions
from informz_console.store.queries.labels import reason_label
from informz_console.ui.groups.bar_chart import Bar, BarChart
from informz_console.ui.groups.link_button import LinkButton
from informz_console.ui.groups.reason_colors import SYNCED, reason_color
from informz_console.ui.groups.tree_model import when

NOTICE = "color:#6b4e00; background:#fff6dd; border:1px solid #f0d98a; padding:4px 6px;"
MEMBERS = "members"


class CountDetails(QWidget):
    open_rows = Signal(object)  # the RowSet behind a number

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: GroupCounts | None = None
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(NOTICE)
        self.fetched = QLabel()
        self.fetched_note = QLabel()
        self.members_link = LinkButton(tooltip="List the synced members")
        self.members_link.clicked.connect(lambda: self._open(MEMBERS))
        self.excluded_link = LinkButton(tooltip="List every record the latest resync excluded")
        self.excluded_link.clicked.connect(lambda: self._open(""))
        self.reason_links: dict[str, LinkButton] = {}
        self.chart = BarChart()
        self.chart.clicked.connect(self._open)
        self._build()
        self.show_counts(None)

    def _build(self) -> None:
        numbers = QGroupBox("Counts")
        self.grid = QGridLayout(numbers)
        self.grid.setColumnStretch(2, 1)
        self.grid.setHorizontalSpacing(12)
        self._row(0, "AMS rows fetched", self.fetched, self.fetched_note)
        self._row(1, "Synced members", self.members_link)
        self._row(2, "Excluded", self.excluded_link)
        self._reason_widgets: list[QWidget] = []
        self.chart_box = QGroupBox("Breakdown of the records fetched")
        QVBoxLayout(self.chart_box).addWidget(self.chart)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.subtitle, self.notice, numbers, self.chart_box):
            layout.addWidget(widget)
        layout.addStretch(1)

    def _row(self, row: int, text: str, number: QWidget, note: QLabel | None = None,
             indent: int = 0) -> list[QWidget]:
        label = QLabel(text)
        label.setContentsMargins(indent, 0, 0, 0)
        self.grid.addWidget(label, row, 0)
        if isinstance(number, QLabel):
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.grid.addWidget(number, row, 1, Qt.AlignmentFlag.AlignRight)
        if note is not None:
            note.setStyleSheet("color:palette(placeholder-text);")
            self.grid.addWidget(note, row, 2)
        return [label, number] + ([note] if note is not None else [])

    # -- showing a group -------------------------------------------------------------------

    def show_counts(self, counts: GroupCounts | None, drift: CountDrift | None = None) -> None:
        self.counts = counts
        if counts is None:
            self.title.setText("No target group selected")
            self.subtitle.setText("Select a target group to see what its latest resync "
                                  "fetched, synced and excluded, and why.")
        else:
            self.title.setText(counts.name)
            self.subtitle.setText(self._subtitle(counts))
        self._show_notice(counts, drift)
        self._show_numbers(counts)
        self._show_reasons(counts)
        self._show_chart(counts)

    def _subtitle(self, counts: GroupCounts) -> str:
        where = f" · {counts.folder}" if counts.folder else ""
        synced = (f"last synced {when(counts.last_synced_at)}" if counts.last_synced_at
                  else "never synced")
        run = f" (run #{counts.last_run_id})" if counts.last_run_id else ""
        return f"{counts.bridge}{where} · {counts.kind} · {synced}{run}\n{counts.remote_key}"

    def _show_notice(self, counts: GroupCounts | None, drift: CountDrift | None) -> None:
        lines = []
        if drift is not None:
            lines.append(f"⚠ Count drift: {drift.sentence()}")
        if counts is not None and counts.stale:
            lines.append(f"⚠ This Personify list was not regenerated within its frequency "
                         f"({counts.regeneration}); its members are only as fresh as that.")
        if counts is not None and counts.last_run_id is None:
            lines.append("Not resynced yet: resync it to see what the AMS returns.")
        self.notice.setText("\n".join(lines))
        self.notice.setVisible(bool(lines))

    def _show_numbers(self, counts: GroupCounts | None) -> None:
        fetched = None if counts is None else counts.fetched
        self.fetched.setText("—" if fetched is None else f"{fetched:,}")
        note = ""
        if counts is not None and counts.expected is not None and counts.expected != fetched:
            note = f"the AMS reported {counts.expected:,}"
        elif fetched is not None:
            note = "in the latest resync"
        self.fetched_note.setText(note)
        self.members_link.set_count(None if counts is None else counts.members)
        ran = counts is not None and counts.last_run_id is not None
        self.excluded_link.set_count(counts.excluded_total if ran and counts else None)

    def _show_reasons(self, counts: GroupCounts | None) -> None:
        """One indented row per reason under "Excluded", numbers aligned with the others."""
        for widget in self._reason_widgets:
            self.grid.removeWidget(widget)
            widget.hide()  # at once: deleteLater waits for the event loop
            widget.deleteLater()
        self._reason_widgets, self.reason_links = [], {}
        excluded = {} if counts is None else counts.excluded
        total = (counts.fetched or 0) if counts else 0
        for row, (reason, records) in enumerate(excluded.items(), start=3):
            link = LinkButton(tooltip=f"List the records excluded: {reason_label(reason)}")
            link.set_count(records)
            link.clicked.connect(lambda _=False, r=reason: self._open(r))
            share = QLabel(f"{100 * records / total:.1f}%" if total else "")
            share.setToolTip("of the records fetched")
            self._reason_widgets += self._row(row, reason_label(reason), link, share, indent=16)
            self.reason_links[reason] = link

    def _show_chart(self, counts: GroupCounts | None) -> None:
        if counts is None or counts.last_run_id is None:
            self.chart_box.hide()
            return
        bars = [Bar(MEMBERS, "Synced members", counts.members, SYNCED)]
        bars += [Bar(reason, reason_label(reason), records, reason_color(reason))
                 for reason, records in counts.excluded.items()]
        self.chart.set_bars(bars, counts.fetched)
        self.chart_box.show()

    # -- opening rows ----------------------------------------------------------------------

    def row_set(self, key: str) -> RowSet | None:
        """The rows behind one number: "members", "" (every exclusion) or a reason code."""
        counts = self.counts
        if counts is None:
            return None
        if key == MEMBERS:
            return group_members(counts.group_id, counts.name, counts.bridge)
        if counts.last_run_id is None:
            return None
        return run_exclusions(counts.last_run_id, key or None, counts.name, counts.bridge)

    def _open(self, key: str) -> None:
        rows = self.row_set(key)
        if rows is not None:
            self.open_rows.emit(rows)
