"""The main window: menus, the message bar, one tab per feature, the status bar.

It only assembles; each tab is its own small widget class (ui/tabs/) given the same
`Services`. Opening another mirror is the app's business (ui/app.py): a window belongs to
exactly one mirror for its whole life.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from informz_console import __version__
from informz_console.store.engine import remembered
from informz_console.ui.due_watch import DueWatch
from informz_console.ui.icons import app_icon
from informz_console.ui.message_bar import MessageBar
from informz_console.ui.services import Services
from informz_console.ui.status_bar import ConsoleStatusBar
from informz_console.ui.tabs import TABS
from informz_console.ui.tabs.base import ConsoleTab
from informz_console.ui.window_settings import window_settings

RECENT_LIMIT = 8
MIRROR_FILTER = "Mirror (*.sqlite *.db);;All files (*)"


class MainWindow(QMainWindow):
    open_mirror_requested = Signal(str)  # the app opens it in a new window

    def __init__(self, services: Services, settings: QSettings | None = None) -> None:
        super().__init__()
        self.services = services
        self.qsettings = settings or window_settings()
        self.setWindowTitle(f"informz console — {services.mirror_label}")
        self.setWindowIcon(app_icon())
        self.message_bar = MessageBar()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.pages: list[ConsoleTab] = [tab(services) for tab in TABS]
        for page in self.pages:
            self.tabs.addTab(page, page.title)
        self._dirty: set[ConsoleTab] = set()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status = ConsoleStatusBar(services)
        self.setStatusBar(self.status)
        self.due = DueWatch(services, self)
        self.due.found.connect(self.status.show_due)
        self._build_menus()
        services.events.message.connect(self.message_bar.show_message)
        services.events.changed.connect(self._mirror_changed)
        self.tabs.currentChanged.connect(self._tab_shown)
        self._restore()
        if notice := services.credentials.notice:
            self.message_bar.show_message("warning", notice)

    # -- start-up ------------------------------------------------------------------------

    def start(self, *, login_syncs: bool = True) -> None:
        """After show(): read every tab, check the bridges, run login syncs (seed triggers)."""
        for page in self.pages:
            page.reload()
        self.status.check_bridges()
        if login_syncs:
            self.due.run_login_syncs()
        else:
            self.due.check()

    def current_tab(self) -> ConsoleTab:
        return self.pages[self.tabs.currentIndex()]

    def show_tab(self, tab_type: type[ConsoleTab]) -> ConsoleTab:
        page = next(p for p in self.pages if isinstance(p, tab_type))
        self.tabs.setCurrentWidget(page)
        return page

    # -- menus ---------------------------------------------------------------------------

    def _action(self, menu: QMenu, text: str, slot, shortcut=None) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&New mirror…", self._new_mirror, QKeySequence.StandardKey.New)
        self._action(file, "&Open mirror…", self._open_mirror, QKeySequence.StandardKey.Open)
        self.recent_menu = file.addMenu("Open &recent")
        self._fill_recent()
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        sync = bar.addMenu("&Sync")
        self._action(sync, "&Resync", lambda: self.current_tab().resync(), "F5")
        self._action(sync, "Run what is &due", self.due.run_all)
        self._action(sync, "&Cancel running work", self.status.jobs.cancel, "Esc")
        self._action(sync, "Check &bridges", self.status.check_bridges)
        find = bar.addMenu("&View")
        self._action(find, "&Find", lambda: self.current_tab().focus_find(),
                     QKeySequence.StandardKey.Find)
        self._action(find, "Re&load", self._reload_all, "Ctrl+R")
        settings = bar.addMenu("Se&ttings")
        role = settings.addMenu("&Role")
        self.role_actions = {}
        for name, label in (("client", "&Client"), ("staff", "&Staff")):
            action = self._action(role, label, lambda _=False, n=name: self._set_role(n))
            action.setCheckable(True)
            self.role_actions[name] = action
        self.role_actions[self.services.settings.role].setChecked(True)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About informz console", self._about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_mirrors()
        for mirror in recent:
            self._action(self.recent_menu, mirror,
                         lambda _=False, m=mirror: self.open_mirror_requested.emit(m))
        self.recent_menu.setEnabled(bool(recent))

    def recent_mirrors(self) -> list[str]:
        value = self.qsettings.value("recent_mirrors", [])
        return [value] if isinstance(value, str) else list(value or [])

    def remember_recent(self) -> None:
        mine = remembered(self.services.mirror)
        mirrors = [mine] + [m for m in self.recent_mirrors() if m != mine]
        self.qsettings.setValue("recent_mirrors", mirrors[:RECENT_LIMIT])
        self._fill_recent()

    def _new_mirror(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New mirror", "mirror.sqlite", MIRROR_FILTER)
        if path:
            self.open_mirror_requested.emit(path)

    def _open_mirror(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open mirror", "", MIRROR_FILTER)
        if path:
            self.open_mirror_requested.emit(path)

    def _set_role(self, role: str) -> None:
        self.services.set_role(role)
        for name, action in self.role_actions.items():
            action.setChecked(name == role)
        self.status.show_role()
        self.services.events.changed.emit()  # staff-only buttons follow the role
        self.due.check()

    def _about(self) -> None:
        QMessageBox.about(
            self, "About informz console",
            f"<b>informz console</b> {__version__}<p>Run, fix and explain the syncs between "
            "an association-management system (iMIS, Personify360, netFORUM Pro, iDSS) and "
            f"its email-marketing subscribers.</p><p>Mirror: {self.services.mirror_label}</p>")

    # -- keeping tabs current ------------------------------------------------------------

    def _mirror_changed(self) -> None:
        """Reload the visible tab now, the others when they are next shown."""
        current = self.current_tab()
        current.reload()
        self._dirty.update(p for p in self.pages if p is not current)

    def _tab_shown(self, index: int) -> None:
        page = self.pages[index]
        if page in self._dirty:
            self._dirty.discard(page)
            page.reload()
        self.qsettings.setValue("last_tab", index)

    def _reload_all(self) -> None:
        self._dirty.clear()
        for page in self.pages:
            page.reload()

    # -- settings ------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.qsettings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        last = self.qsettings.value("last_tab", 0)
        try:
            index = int(last)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            index = 0
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.qsettings.setValue("geometry", self.saveGeometry())
        self.qsettings.setValue("last_tab", self.tabs.currentIndex())
        self.qsettings.sync()
        self.services.jobs.shutdown()  # running syncs are cancelled: the mirror stays as it was
        super().closeEvent(event)
