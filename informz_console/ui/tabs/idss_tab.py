"""The iDSS contacts tab (seed 002): the distribution lists of the iDSS bridges on the left; the
selected list's contacts on the right, failed contacts in red with the call and the system error,
"Duplicate" after a contact whose email another has; "Resync contact" (the uncheck/recheck of the
list in iDSS) and "Follow changes" (the change feed, while switched on)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from informz_console.store.queries.idss_contacts import (
    ContactIndex,
    IdssList,
    contact_index,
    contact_rows,
    idss_lists,
)
from informz_console.sync.bridges import list_bridges
from informz_console.sync.follow import FollowResult, resync_contact
from informz_console.ui.idss.contacts_model import ContactsModel, detail_text
from informz_console.ui.idss.follow import FollowChanges
from informz_console.ui.idss.lists_model import GROUP_ROLE, IdssListsModel
from informz_console.ui.lazy_model import ROW_ROLE
from informz_console.ui.tabs.base import ConsoleTab

SHOW_CHOICES = (("All contacts", "all"), ("Failed", "failed"), ("Duplicate", "duplicate"),
                ("Excluded", "excluded"))
COLUMN_WIDTHS = (80, 150, 280, 290, 130)


class IdssTab(ConsoleTab):
    title = "iDSS contacts"

    def __init__(self, services, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(services, parent)
        self.lists: list[IdssList] = []
        self.followable: list[str] = []  # the active iDSS bridges
        self.group_id: int | None = None
        self.contact_id: str | None = None  # the selected contact, kept across reloads
        self.index: ContactIndex | None = None
        self.model = ContactsModel(self._read_rows, self)
        self.follow = FollowChanges(services, self)
        self.follow.polled.connect(self._followed)
        self.follow.stopped.connect(self._follow_stopped)
        self._watching_window = False
        self._select_first = False  # after the next load, select its first contact
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._lists_pane())
        splitter.addWidget(self._contacts_pane())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 950])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # -- building ------------------------------------------------------------------------

    def _lists_pane(self) -> QWidget:
        self.lists_model = IdssListsModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.lists_model)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().currentChanged.connect(self._list_chosen)
        return self.tree

    def _contacts_pane(self) -> QWidget:
        self.summary = QLabel("Choose a distribution list.")
        self.summary.setObjectName("idssSummary")
        self.show_combo = QComboBox()
        for label, value in SHOW_CHOICES:
            self.show_combo.addItem(label, value)
        self.show_combo.currentIndexChanged.connect(lambda _: self.load_contacts())
        self.resync_button = QPushButton("Resync contact")
        self.resync_button.setToolTip("Read the contact from iDSS again and sync it in each of "
                                      "its lists: the uncheck/recheck of the list in iDSS.")
        self.resync_button.clicked.connect(self.resync_contact)
        self.follow_button = QPushButton("Follow changes")
        self.follow_button.setCheckable(True)
        self.follow_button.setToolTip("While on, changes saved in iDSS are applied as they "
                                      "arrive (the change feed is read every few seconds).")
        self.follow_button.toggled.connect(self.set_following)
        self.follow_state = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.show_combo)
        bar.addWidget(self.resync_button)
        bar.addWidget(self.follow_button)
        self.table = self._table()
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("idssDetail")
        self.detail.setReadOnly(True)
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText("Select a contact to see its sync state; a red contact "
                                       "shows the call sent and the system error received.")
        below = QSplitter(Qt.Orientation.Vertical)
        below.addWidget(self.table)
        below.addWidget(self.detail)
        below.setStretchFactor(0, 1)
        below.setSizes([500, 180])
        pane = QWidget()
        column = QVBoxLayout(pane)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(bar)
        column.addWidget(below, 1)
        column.addWidget(self.follow_state)
        self._update_buttons()
        return pane

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(22)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        for number, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(number, width)
        header.setStretchLastSection(True)
        table.selectionModel().currentRowChanged.connect(self._contact_chosen)
        return table

    # -- the lists -----------------------------------------------------------------------

    def reload(self) -> None:
        self.services.jobs.submit("Reading iDSS distribution lists", self._read_lists,
                                  on_done=self._show_lists,
                                  on_error=lambda s: self.tell("error", s), key="idss-lists")

    def _read_lists(self, _cancel, _progress) -> tuple[list[IdssList], list[str]]:  # type: ignore[no-untyped-def]
        with self.services.session() as session:
            lists = idss_lists(session)
        followable = [b.name for b in list_bridges(self.services.engine,
                                                   self.services.credentials)
                      if b.kind == "idss" and b.active]
        return lists, followable

    def _show_lists(self, found: tuple[list[IdssList], list[str]]) -> None:
        self.lists, self.followable = found
        self.tree.selectionModel().blockSignals(True)  # the current list stays the same
        self.lists_model.show_lists(self.lists)
        self.tree.expandAll()
        self.tree.selectionModel().blockSignals(False)
        chosen = self.lists_model.index_of(self.group_id)
        if chosen is None and self.lists:
            chosen = self.lists_model.index_of(self.lists[0].group_id)
        if chosen is None:
            self.group_id = None
            self._show_contacts(None, ContactIndex([], 0, 0, 0, 0))
            return
        same = chosen.data(GROUP_ROLE) == self.group_id
        self.tree.setCurrentIndex(chosen)  # a new list loads its contacts
        if same:
            self.load_contacts()  # the mirror changed: read the same list again

    def _list_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        group_id = current.siblingAtColumn(0).data(GROUP_ROLE) if current.isValid() else None
        if group_id is None or group_id == self.group_id:
            return
        self.group_id, self.contact_id = group_id, None
        self.load_contacts()

    def select_list(self, group_id: int) -> None:
        if (index := self.lists_model.index_of(group_id)) is not None:
            self.tree.setCurrentIndex(index)

    # -- the contacts --------------------------------------------------------------------

    def load_contacts(self) -> None:
        group_id, show = self.group_id, str(self.show_combo.currentData())
        if group_id is None:
            return

        def work(_cancel, _progress) -> ContactIndex:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return contact_index(session, group_id, show)

        self.services.jobs.submit(
            "Reading iDSS contacts", work, key="idss-contacts",
            on_done=lambda index: self._show_contacts(group_id, index),
            on_error=lambda s: self.tell("error", s))

    def _read_rows(self, group_id: int, ids):  # type: ignore[no-untyped-def]
        with self.services.session() as session:
            return contact_rows(session, group_id, ids)

    def _show_contacts(self, group_id: int | None, index: ContactIndex) -> None:
        self.index = index
        self.model.show_list(group_id, index.ids)
        self.summary.setText(self._summary(group_id, index))
        wanted = self.contact_id
        if self._select_first and index.ids:
            wanted, self._select_first = index.ids[0], False
        row = index.ids.index(wanted) if wanted in index.ids else None
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        else:
            self.contact_id = None
        self._show_detail()

    def _summary(self, group_id: int | None, index: ContactIndex) -> str:
        found = next((item for item in self.lists if item.group_id == group_id), None)
        if found is None:
            return "No iDSS distribution lists in this mirror yet." if not self.lists else ""
        parts = [f"<b>{found.name}</b>", f"{index.total:,} contacts"]
        if index.failed:
            parts.append(f'<span style="color:#b3261e">{index.failed:,} failed</span>')
        if index.duplicates:
            parts.append(f"{index.duplicates:,} marked Duplicate")
        if index.excluded:
            parts.append(f"{index.excluded:,} excluded")
        return " · ".join(parts)

    def _contact_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.contact_id = self.model.key_at(current.row()) if current.isValid() else None
        self._show_detail()

    def current_row(self):  # type: ignore[no-untyped-def]
        index = self.table.selectionModel().currentIndex()
        return self.model.data(index, ROW_ROLE) if index.isValid() else None

    def _show_detail(self) -> None:
        row = self.current_row() if self.contact_id is not None else None
        self.detail.setPlainText(detail_text(row) if row is not None else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.resync_button.setEnabled(self.contact_id is not None)

    # -- actions -------------------------------------------------------------------------

    def resync_contact(self) -> None:
        found = next((item for item in self.lists if item.group_id == self.group_id), None)
        if found is None or self.contact_id is None:
            self.tell("warning", "Choose a contact first, then Resync contact.")
            return
        bridge, contact = found.bridge, self.contact_id
        self.services.jobs.submit(
            f"Resyncing iDSS contact {contact}",
            lambda c, p: resync_contact(self.services.sync, bridge, contact),
            on_done=lambda outcome: self._resynced(contact, outcome),
            on_error=lambda s: self.tell("error", s))

    def _resynced(self, contact: str, outcome: FollowResult) -> None:
        failed = next((r.error for r in outcome.results if not r.ok and r.error), None)
        if outcome.error or failed:
            self.tell("error", outcome.error or failed or "")
        else:
            self.tell("info", f"Contact {contact} was read from iDSS again and resynced in "
                              f"{len(outcome.results)} list(s).")
        self.services.events.changed.emit()

    def resync(self) -> None:
        """F5: resync the selected contact."""
        if self.contact_id is not None:
            self.resync_contact()

    def set_following(self, on: bool) -> None:
        if on and not self.follow.on:
            if not self.followable:
                self.follow_button.setChecked(False)
                self.tell("warning", "There is no active iDSS bridge to follow.")
                return
            self.follow.start(self.followable)
            self.follow_state.setText(f"Following {', '.join(self.followable)}: changes saved "
                                      "in iDSS are applied as they arrive.")
        elif not on and self.follow.on:
            self.follow.stop()
            self.follow_state.setText("")

    def _followed(self, bridge: str, changes: int) -> None:
        when = f"{self.services.clock.now().astimezone():%H:%M:%S}"
        self.follow_state.setText(f"Following {bridge}: last read {when}, "
                                  f"{changes:,} change(s) applied.")
        if changes:
            self.services.events.changed.emit()

    def _follow_stopped(self, sentence: str) -> None:
        self.follow_button.setChecked(False)
        self.follow_state.setText("")
        self.tell("error", f"Following iDSS changes stopped: {sentence}")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not self._watching_window:
            self.window().installEventFilter(self.follow)  # stop polling when it closes
            self._watching_window = True
        super().showEvent(event)

    def prepare_screenshot(self) -> None:
        """The smallest list with the most failed contacts (the demo's Newsletter: red and
        Duplicate rows), its first failed contact selected."""
        if self.lists:
            worst = max(self.lists, key=lambda item: (item.failed, -item.members))
            self.contact_id, self._select_first = None, True
            if worst.group_id == self.group_id:
                self.load_contacts()
            else:
                self.select_list(worst.group_id)

