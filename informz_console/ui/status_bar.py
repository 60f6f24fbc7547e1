"""The status bar: which mirror, who is at the keyboard, which bridges answer, what runs."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from informz_console.connectors.errors import ConnectorError
from informz_console.sync.bridges import list_bridges, test_bridge
from informz_console.sync.cancel import CancelToken, ProgressCallback
from informz_console.sync.run_plan import SyncError
from informz_console.ui.job_bar import JobBar
from informz_console.ui.services import Services

CHECK_EVERY_MS = 5 * 60 * 1000
ONLINE, OFFLINE = "#1e7b34", "#a61b1b"


def check_bridges(services: Services, cancel: CancelToken,
                  _: ProgressCallback) -> dict[str, str | None]:
    """Each active bridge's name -> None when it answers, else the sentence why not."""
    found: dict[str, str | None] = {}
    for bridge in list_bridges(services.engine, services.credentials):
        if cancel.cancelled:
            break
        if not bridge.active:
            continue
        try:
            test_bridge(services.engine, bridge.name, services.credentials)
            found[bridge.name] = None
        except (ConnectorError, SyncError) as error:
            found[bridge.name] = str(error)
    return found


class ConsoleStatusBar(QStatusBar):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.mirror = QLabel()
        self.role = QLabel()
        self.bridges = QLabel()
        self.due = QLabel()
        self.jobs = JobBar(services.jobs)
        self.addWidget(self.mirror)
        self.addWidget(self.role)
        self.addWidget(self.bridges, 1)
        self.addPermanentWidget(self.due)
        self.addPermanentWidget(self.jobs)
        self.online: dict[str, str | None] = {}
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check_bridges)
        self._timer.start(CHECK_EVERY_MS)
        self.show_mirror()
        self.show_role()

    def show_mirror(self) -> None:
        self.mirror.setText(f"Mirror: {self.services.mirror_label}")
        self.mirror.setToolTip("The local mirror every count and explanation is read from")

    def show_role(self) -> None:
        staff = self.services.settings.is_staff
        self.role.setText("Staff" if staff else "Client")
        self.role.setStyleSheet("padding:1px 6px; border-radius:3px; color:white; background:"
                                + ("#6a3fa0" if staff else "#2f6f9f") + ";")
        self.role.setToolTip("Staff may run a full refresh (seed 000). Change it in "
                             "Settings > Role." if not staff else
                             "You are staff: full refresh is allowed.")

    def check_bridges(self) -> None:
        self.services.jobs.submit(
            "Checking bridges", lambda c, p: check_bridges(self.services, c, p),
            on_done=self.show_bridges, key="check-bridges")

    def show_bridges(self, online: dict[str, str | None]) -> None:
        self.online = online
        parts = [f'<span style="color:{ONLINE if why is None else OFFLINE}">●</span> {name}'
                 for name, why in online.items()]
        self.bridges.setText("&nbsp;&nbsp;".join(parts))
        self.bridges.setToolTip("\n".join(
            f"{name}: {'online' if why is None else 'offline: ' + why}"
            for name, why in online.items()))

    def show_due(self, lines: list[str]) -> None:
        self.due.setText(f"Due now: {len(lines)}" if lines else "Nothing due")
        self.due.setToolTip("\n".join(lines) if lines else "No trigger has a sync due.")
