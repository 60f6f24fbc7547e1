"""One looked-up subscriber: header (status, AMS ids), the groups it is in, why it is (not) in
a chosen group, its history and its writebacks. When no subscriber matches, the AMS records
the latest resyncs excluded under that email or AMS id, with the same "why not" chooser."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from informz_console.store.queries.history import HistoryEntry
from informz_console.store.queries.labels import reason_label
from informz_console.store.queries.subscriber import ExcludedRecord, GroupRef
from informz_console.ui.logs import format as fmt
from informz_console.ui.logs.static_model import StaticTableModel
from informz_console.ui.logs.tables import set_widths, table
from informz_console.ui.logs.writebacks_model import WIDTHS as WRITEBACK_WIDTHS
from informz_console.ui.logs.writebacks_model import WritebacksModel
from informz_console.ui.lookup.explain_box import ExplainBox
from informz_console.ui.lookup.page_data import Found, SubscriberPageData
from informz_console.ui.lookup.subscriber_header import SubscriberHeader
from informz_console.ui.services import Services

CHANGE_COLORS = {"removed": fmt.AMBER}
SUBSCRIBER_SPLIT = [430, 620]  # its groups | why (not) in a group
EXCLUDED_SPLIT = [680, 370]  # the excluded records need the room


def _history_row(entry: HistoryEntry) -> tuple[str, ...]:
    why = " ".join(part for part in (entry.reason, f"({entry.detail})" if entry.detail else "")
                   if part)
    return (fmt.when(entry.at), f"#{entry.run_id}", fmt.words(entry.trigger),
            fmt.kind(entry.kind), entry.group or "", fmt.words(entry.change), why)


def _group_row(group: GroupRef) -> tuple[object, ...]:
    added = f"#{group.added_run_id}" if group.added_run_id else ""
    return (group.bridge, group.name, added)


def _excluded_row(record: ExcludedRecord) -> tuple[object, ...]:
    return (record.group.label, f"#{record.run_id}", record.ams_id or "", record.email or "",
            reason_label(record.reason), record.detail or "")


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(widget)
    return box


class SubscriberPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = SubscriberHeader()
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("font-size:14px;")
        self.groups = StaticTableModel(("Bridge", "Target group", "Added by run"))
        self.excluded = StaticTableModel(("Target group", "Run", "AMS id", "Email",
                                          "Excluded because", "Detail"))
        self.explain = ExplainBox(services)
        self.history = StaticTableModel(
            ("When (UTC)", "Run", "Trigger", "Kind", "Target group", "Change", "Why"),
            color=lambda row: CHANGE_COLORS.get(row[5].lower()))
        self.writebacks = WritebacksModel(services, self)
        self._build()

    def _build(self) -> None:
        groups_view = table(self.groups)
        set_widths(groups_view, (120, 170))
        excluded_view = table(self.excluded)
        set_widths(excluded_view, (170, 45, 65, 200, 150))
        self.left = QStackedWidget()
        self.groups_box = _boxed("In target groups", groups_view)
        self.left.addWidget(self.groups_box)
        self.left.addWidget(_boxed("AMS records the latest resyncs excluded", excluded_view))
        self.middle = middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(self.left)
        middle.addWidget(self.explain)
        middle.setSizes(SUBSCRIBER_SPLIT)
        self.history_view = table(self.history)
        set_widths(self.history_view, (140, 55, 80, 105, 190, 75))
        writebacks_view = table(self.writebacks)
        set_widths(writebacks_view, WRITEBACK_WIDTHS)
        self.details = QTabWidget()
        self.details.addTab(self.history_view, "History")
        self.details.addTab(writebacks_view, "Writebacks")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(middle)
        split.addWidget(self.details)
        split.setSizes([220, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.missing)
        layout.addWidget(split, 1)
        self.show_nothing("Look up a subscriber by email address or AMS id.")

    # -- what the page shows -----------------------------------------------------------------

    def show_nothing(self, sentence: str) -> None:
        self.header.hide()
        self.missing.setText(sentence)
        self.missing.show()
        for widget in (self.left, self.explain, self.details):
            widget.hide()

    def show_subscriber(self, data: SubscriberPageData, explain_group: int | None = None) -> None:
        card = data.card
        self.missing.hide()
        self.header.show_card(card)
        self.header.show()
        self.groups.set_rows([_group_row(g) for g in card.groups])
        self.groups_box.setTitle(f"In target groups ({len(card.groups)})")
        self.left.setCurrentIndex(0)
        self.middle.setSizes(SUBSCRIBER_SPLIT)
        first = explain_group or (card.groups[0].id if card.groups else None)
        self.explain.set_subject(card.email, card.choices, first)
        self.history.set_rows([_history_row(e) for e in reversed(data.history)])
        self.writebacks.set_keys(data.writeback_ids)
        self.details.setTabText(0, f"History ({len(data.history)})")
        self.details.setTabText(1, f"Writebacks ({len(data.writeback_ids)})")
        for widget in (self.left, self.explain, self.details):
            widget.show()

    def show_not_found(self, found: Found) -> None:
        """No subscriber matches: show what the latest resyncs excluded under that text."""
        if not found.excluded:
            self.show_nothing(f"No subscriber has an email, AMS id or name matching "
                              f"{found.text.strip()!r}, and no latest resync excluded an AMS "
                              "record with that email or AMS id.")
            return
        partly = (" Subscribers whose email or name contains it are listed on the left."
                  if found.hits else "")
        self.show_nothing(f"No subscriber has the email or AMS id {found.text.strip()!r}: the "
                          "latest resyncs excluded the AMS records below, so they never became "
                          f"subscribers.{partly}")
        self.excluded.set_rows([_excluded_row(r) for r in found.excluded])
        self.left.setCurrentIndex(1)
        self.middle.setSizes(EXCLUDED_SPLIT)
        # explained by what was asked: an AMS id (a record without an email has nothing
        # else), else the email the records share
        asked = found.text.strip()
        subject = asked if any(r.ams_id == asked for r in found.excluded) else next(
            (r.email.strip() for r in found.excluded if r.email), "")
        choices = list({r.group.id: r.group for r in found.excluded}.values())
        self.explain.set_subject(subject, choices, choices[0].id)
        self.left.show()
        self.explain.setVisible(bool(subject))
