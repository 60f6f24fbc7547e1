"""The Subscriber look-up tab: find a subscriber by email, AMS id or part of either, and see
its status and why, its AMS ids, its groups, why it is (not) in a chosen group (the CLI's
`explain`), its history and its writebacks. Every read is a job with a key."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from informz_console.store.queries.subscriber import Showcase, showcase_subscriber
from informz_console.ui.logs import format as fmt
from informz_console.ui.logs.static_model import StaticTableModel
from informz_console.ui.logs.tables import set_widths, table
from informz_console.ui.lookup.page_data import Found, SubscriberPageData, search, subscriber_page
from informz_console.ui.lookup.status_badge import COLORS
from informz_console.ui.lookup.subscriber_page import SubscriberPage
from informz_console.ui.services import Services
from informz_console.ui.tabs.base import ConsoleTab

HIT_ID = 3  # the hidden subscriber id after email, name and status
ASK = "Type an email address, an AMS id or part of an email or name, then press Enter."


def _status_color(row: tuple[object, ...]) -> QColor | None:
    code = str(row[HIT_ID + 1])
    return QColor(COLORS[code]) if code != "active" and code in COLORS else None


class LookupTab(ConsoleTab):
    title = "Subscriber look-up"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Email address, AMS id, or part of an email or name")
        self.search.setClearButtonEnabled(True)
        self.find = QPushButton("Look up")
        self.found_label = QLabel()
        self.results = StaticTableModel(("Email", "Name", "Status"), color=_status_color)
        self.results_view = table(self.results)
        set_widths(self.results_view, (200, 110, 90))
        header = self.results_view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.page = SubscriberPage(services)
        self.found: Found | None = None
        self._explain_next: int | None = None  # the group to explain when the next page opens
        self._layout()
        self.search.returnPressed.connect(lambda: self.look_up())
        self.find.clicked.connect(lambda: self.look_up())
        self.results_view.selectionModel().currentRowChanged.connect(self._hit_chosen)

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Find"))
        bar.addWidget(self.search, 1)
        bar.addWidget(self.find)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.found_label)
        column.addWidget(self.results_view, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.page)
        split.setSizes([400, 1000])
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 4)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    # -- searching ---------------------------------------------------------------------------

    def look_up(self, text: str | None = None) -> None:
        if text is not None:
            self.search.setText(text)
        wanted = self.search.text().strip()
        if not wanted:
            self.page.show_nothing(ASK)
            self.search.setFocus()
            return

        def work(_cancel, _progress) -> Found:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return search(session, wanted)

        self.found_label.setText("Looking up…")
        self.services.jobs.submit("Looking up subscribers", work, on_done=self._show_found,
                                  on_error=self._failed, key="lookup-search")

    def _show_found(self, found: Found) -> None:
        self.found = found
        self.results.set_rows([(h.email, h.name, fmt.words(h.status), h.id, h.status)
                               for h in found.hits])
        self.found_label.setText(self._found_sentence(found))
        if any(h.exact for h in found.hits) or (found.hits and not found.excluded):
            self.results_view.selectionModel().setCurrentIndex(
                self.results.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        else:
            self._explain_next = None
            self.page.show_not_found(found)

    @staticmethod
    def _found_sentence(found: Found) -> str:
        n, text = len(found.hits), found.text.strip()
        s = "s" if n != 1 else ""
        if any(h.exact for h in found.hits):
            return f"{n:,} subscriber{s} for {text!r}"
        return f"{n:,} subscriber{s} whose email or name contains {text!r}"

    def _failed(self, sentence: str) -> None:
        self.found_label.clear()
        self.page.show_nothing(sentence)

    # -- one subscriber ----------------------------------------------------------------------

    def _hit_chosen(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        row = self.results.row_at(index.row()) if index.isValid() else None
        if row is not None:
            self.open_subscriber(int(row[HIT_ID]))

    def open_subscriber(self, subscriber_id: int) -> None:
        explain_group, self._explain_next = self._explain_next, None

        def work(_cancel, _progress) -> SubscriberPageData:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return subscriber_page(session, subscriber_id)

        self.services.jobs.submit(
            "Reading a subscriber", work, on_error=self._failed, key="lookup-page",
            on_done=lambda data: self.page.show_subscriber(data, explain_group))

    def reload(self) -> None:
        """The mirror changed: read the shown subscriber again (its groups, history...)."""
        index = self.results_view.currentIndex()
        if index.isValid():
            self._hit_chosen(index)

    def focus_find(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def prepare_screenshot(self) -> None:
        """Look up a demo subscriber that is in some groups and excluded from another."""
        def work(_cancel, _progress) -> Showcase | None:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return showcase_subscriber(session)

        def done(chosen: Showcase | None) -> None:
            if chosen is not None:
                self._explain_next = chosen.group_id
                self.look_up(chosen.email)

        self.services.jobs.submit("Choosing a subscriber to show", work, on_done=done,
                                  key="lookup-showcase")
