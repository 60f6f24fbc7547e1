"""The Bridges tab: the mirror's bridges, the form of the selected one, and what can be done
with a bridge (save, test its connection, refresh its target group list, choose iMIS remote
interests). Every call to an AMS runs as a job; saving is a quick local write."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from informz_console.connectors.errors import ConfigError
from informz_console.sync.bridges import (
    BridgeInfo,
    BridgeSpec,
    discover_interests,
    list_bridges,
    save_bridge,
    test_bridge,
)
from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult
from informz_console.ui.bridges.bridge_form import BridgeForm
from informz_console.ui.bridges.bridge_list_model import BridgeListModel
from informz_console.ui.bridges.interests_dialog import InterestsDialog
from informz_console.ui.bridges.kind_fields import secret_noun
from informz_console.ui.tabs.base import ConsoleTab

OK_STYLE, PROBLEM_STYLE = "color:#1e7b34;", "color:#a61b1b;"


class BridgesTab(ConsoleTab):
    title = "Bridges"

    def __init__(self, services, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(services, parent)
        self.model = BridgeListModel(self)
        self.table = self._table()
        self.form = BridgeForm(services.credentials.secure)
        self.form.edited.connect(lambda: self.show_outcome("", ""))
        self.form.kind.currentIndexChanged.connect(self._update_buttons)
        self.outcome = QLabel()
        self.outcome.setObjectName("bridgeOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self._form_pane())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([660, 660])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._wanted: str | None = None  # the bridge to select after the next reload
        self._creating = False  # the form holds a new bridge the user asked for
        self._update_buttons()

    # -- building ------------------------------------------------------------------------

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(24)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        table.selectionModel().currentRowChanged.connect(self._bridge_chosen)
        return table

    def _form_pane(self) -> QWidget:
        self.buttons = {
            "new": QPushButton("New"), "save": QPushButton("Save"),
            "test": QPushButton("Test connection"),
            "refresh": QPushButton("Refresh target group list"),
            "interests": QPushButton("Remote interests…"),
        }
        for key, slot in (("new", self.new_bridge), ("save", self.save),
                          ("test", self.test_connection), ("refresh", self.refresh_list),
                          ("interests", self.choose_interests)):
            self.buttons[key].setObjectName(f"bridge_{key}")
            self.buttons[key].clicked.connect(slot)
        self.buttons["save"].setDefault(True)
        row = QHBoxLayout()
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(6, 0, 6, 0)
        if notice := self.services.credentials.notice:
            warning = QLabel(notice)
            warning.setObjectName("keyringNotice")
            warning.setWordWrap(True)
            warning.setStyleSheet("color:#6b4e00;")
            column.addWidget(warning)
        column.addWidget(self.form)
        column.addWidget(self.outcome)
        column.addLayout(row)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        return scroll

    # -- reading the mirror --------------------------------------------------------------

    def reload(self) -> None:
        self.services.jobs.submit(
            "Reading bridges",
            lambda c, p: list_bridges(self.services.engine, self.services.credentials),
            on_done=self._show_bridges, on_error=lambda s: self.tell("error", s),
            key="bridges-list")

    def _show_bridges(self, bridges: list[BridgeInfo]) -> None:
        wanted = self._wanted or self.form.existing
        self._wanted = None
        self.model.set_bridges(bridges, self.services.credentials.secure)
        header = self.table.horizontalHeader()
        header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        row = self.model.row_of(wanted) if wanted else None
        if row is None and self._creating:
            return  # a new bridge being typed in: leave it alone
        self.select_row(0 if row is None and bridges else row)

    def select_row(self, row: int | None) -> None:
        if row is None:  # no bridge yet: the form is ready for the first one
            self.new_bridge()
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self._load(self.model.bridges[row])

    def _bridge_chosen(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        if current.isValid():
            self._load(self.model.bridges[current.row()])

    def _load(self, info: BridgeInfo) -> None:
        if self.form.dirty and self.form.existing == info.name:
            return  # keep the user's unsaved edits of this bridge
        self._creating = False
        self.form.load(info)
        self.show_outcome("", "")
        self._update_buttons()

    def selected(self) -> BridgeInfo | None:
        row = self.model.row_of(self.form.existing) if self.form.existing else None
        return None if row is None else self.model.bridges[row]

    def _update_buttons(self) -> None:
        info = self.selected()
        saved = info is not None
        for key in ("test", "refresh"):
            self.buttons[key].setEnabled(saved)
        self.buttons["interests"].setVisible(self.form.current_kind == "imis")
        self.buttons["interests"].setEnabled(saved)

    def show_outcome(self, level: str, sentence: str) -> None:
        """One sentence next to the form: what the last action did or what to fix."""
        self.outcome.setText(sentence)
        self.outcome.setStyleSheet(PROBLEM_STYLE if level == "error" else OK_STYLE)
        self.outcome.setVisible(bool(sentence))

    def _problem(self, sentence: str) -> None:
        self.show_outcome("error", sentence)
        self.tell("error", sentence)

    # -- actions -------------------------------------------------------------------------

    def new_bridge(self) -> None:
        self.table.selectionModel().clear()  # so clicking the same bridge again loads it
        self._creating = True
        self.form.new()
        self.show_outcome("", "")
        self._update_buttons()
        self.form.name.setFocus()

    def save(self) -> None:
        try:
            spec = self.form.spec()
            if self.form.existing is None and self.model.row_of(spec.name) is not None:
                raise ConfigError(f"A bridge named {spec.name!r} already exists; choose it in "
                                  "the list to change it, or pick another name.")
            secret_name = save_bridge(self.services.engine, spec, self.services.clock)
        except ConfigError as error:
            self._problem(str(error))
            return
        except SQLAlchemyError:
            self._problem("The bridge could not be written to the mirror; check that the "
                          "mirror file is writable and not locked, then save again.")
            return
        self._store_secret(spec, secret_name)

    def _store_secret(self, spec: BridgeSpec, secret_name: str) -> None:
        what = secret_noun(spec.kind)
        sentence = f"Bridge {spec.name!r} saved."
        if secret := self.form.secret_text():
            self.services.credentials.set(secret_name, secret)
            where = "keyring" if self.services.credentials.secure else "session only"
            sentence = f"Bridge {spec.name!r} saved; its {what} is stored ({where})."
        self.form.dirty = False
        self._wanted = spec.name
        self.form.existing = spec.name
        self.show_outcome("info", sentence)
        self.tell("info", sentence)
        self.services.events.changed.emit()

    def _ready(self, action: str) -> BridgeInfo | None:
        """The saved bridge an action works on, or None after saying what to do first."""
        info = self.selected()
        if info is None:
            self._problem(f"Save the bridge before you {action}.")
        elif self.form.dirty:
            self._problem(f"Save your changes before you {action}; it uses the saved "
                          "settings.")
        elif not info.has_secret:
            self._problem(f"No {secret_noun(info.kind)} is stored for bridge "
                          f"{info.name!r}; enter it above and save.")
        else:
            return info
        return None

    def test_connection(self) -> None:
        if (info := self._ready("test its connection")) is None:
            return
        self.show_outcome("info", f"Testing {info.name}…")
        self.services.jobs.submit(
            f"Testing {info.name}",
            lambda c, p: test_bridge(self.services.engine, info.name, self.services.credentials),
            on_done=lambda sentence: self._told("info", sentence),
            on_error=lambda sentence: self._told("error", sentence), key="bridge-test")

    def refresh_list(self) -> None:
        if (info := self._ready("refresh its target group list")) is None:
            return
        self.services.jobs.submit(
            f"Refreshing the target group list of {info.name}",
            lambda c, p: self.services.sync.run(SyncRequest(info.name, SyncKind.REFRESH_LIST)),
            on_done=lambda result: self._refreshed(info.name, result),
            on_error=lambda sentence: self._told("error", sentence))

    def _refreshed(self, name: str, result: SyncResult) -> None:
        self._told("info", result.summary or f"The target group list of {name} is refreshed.")
        self.services.events.changed.emit()

    def _told(self, level: str, sentence: str) -> None:
        self.show_outcome(level, sentence)
        self.tell(level, sentence)

    def choose_interests(self) -> None:
        if (info := self._ready("choose its remote interests")) is None:
            return
        self.services.jobs.submit(
            f"Listing the UD checkbox fields of {info.name}",
            lambda c, p: discover_interests(self.services.engine, info.name,
                                            self.services.credentials),
            on_done=lambda fields: self._open_interests(info, fields),
            on_error=lambda sentence: self._told("error", sentence))

    def _open_interests(self, info: BridgeInfo, fields: list[str]) -> None:
        chosen = list(info.settings.get("remote_interests") or [])
        self.interests_dialog = InterestsDialog(info.name, fields, chosen, self)
        self.interests_dialog.finished.connect(
            lambda result: self._interests_chosen(info, result))
        self.interests_dialog.open()  # window-modal, not blocking: the jobs keep running

    def _interests_chosen(self, info: BridgeInfo, result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            return
        chosen = self.interests_dialog.chosen()
        spec = BridgeSpec(info.kind, info.name,
                          {**info.settings, "remote_interests": chosen},
                          info.accepted_statuses, info.email_source, info.active)
        try:
            save_bridge(self.services.engine, spec, self.services.clock)
        except (ConfigError, SQLAlchemyError) as error:
            self._problem(str(error) if isinstance(error, ConfigError) else
                          "The remote interests could not be written to the mirror.")
            return
        self.form.set_remote_interests(chosen, edited=False)
        self._told("info", f"{len(chosen)} remote interests saved for {info.name}; refresh its "
                           "target group list to see them as target groups.")
        self._wanted = info.name
        self.services.events.changed.emit()

    def prepare_screenshot(self) -> None:
        """The iMIS bridge when there is one: its form has every kind of field."""
        kinds = [b.kind for b in self.model.bridges]
        if kinds:
            self.select_row(kinds.index("imis") if "imis" in kinds else 0)
            self.table.setFocus()
