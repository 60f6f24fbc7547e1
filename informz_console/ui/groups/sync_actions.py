"""The tab's toolbar actions: Resync, Refresh list, Full refresh, Preview. Each runs the sync
service in a job and ends in one sentence in the message bar; after any of them the mirror's
listeners re-read it (a failed or cancelled run is in the sync log too).

Full refresh is for staff (seed 000): the button is disabled for a client and says why, and the
sync service refuses it anyway with its own sentence, which is what a forced click shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QStyle

from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult, Trigger
from informz_console.ui.jobs import Job
from informz_console.ui.services import Services

Tell = Callable[[str, str], None]
STAFF_ONLY = ("Only a staff member may run a full refresh (seed 000); a client runs a partial "
              "sync, or asks their Advisor.")
FULL_TIP = ("Rebuild Informz_Changes in iMIS and apply all of it (staff only). Select an iMIS "
            "bridge or one of its groups.")


@dataclass(frozen=True)
class Target:
    """What the toolbar acts on: a bridge, and a group of it when one is selected."""

    bridge: str
    bridge_kind: str
    group_id: int | None = None
    group_key: str | None = None
    group: str | None = None


class GroupSyncActions(QObject):
    preview_ready = Signal(object, object)  # Target, SyncResult (a dry run)

    def __init__(self, services: Services, tell: Tell, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.tell = services, tell
        self.target: Target | None = None
        self.running: Job | None = None
        pixmap = QStyle.StandardPixmap
        self.resync = self._action("Resync", pixmap.SP_BrowserReload, self.run_resync,
                                   "Resync the selected target group from its AMS now (F5)")
        self.preview = self._action("Preview", pixmap.SP_FileDialogContentsView,
                                    self.run_preview, "Show what a resync would add, update "
                                    "and remove, without applying anything")
        self.refresh_list = self._action("Refresh list", pixmap.SP_FileDialogListView,
                                         self.run_refresh_list, "Fetch the bridge's list of "
                                         "target groups and personalization fields again")
        self.full_refresh = self._action("Full refresh", pixmap.SP_DialogResetButton,
                                         self.run_full_refresh, FULL_TIP)
        self.update_state()

    def _action(self, text: str, pixmap: QStyle.StandardPixmap, slot: Callable[[], object],
                tip: str) -> QAction:
        action = QAction(QApplication.style().standardIcon(pixmap), text, self)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        return action

    # -- state -----------------------------------------------------------------------------

    def set_target(self, target: Target | None) -> None:
        self.target = target
        self.update_state()

    def update_state(self) -> None:
        idle, target = self.running is None, self.target
        has_group = idle and target is not None and target.group_id is not None
        self.resync.setEnabled(has_group)
        self.preview.setEnabled(has_group)
        self.refresh_list.setEnabled(idle and target is not None)
        imis = target is not None and target.bridge_kind == "imis"
        staff = self.services.settings.is_staff
        self.full_refresh.setEnabled(idle and imis and staff)
        self.full_refresh.setToolTip(FULL_TIP if staff else STAFF_ONLY)

    # -- running ---------------------------------------------------------------------------

    def run_resync(self, target: Target | None = None) -> Job | None:
        target = target or self.target
        if target is None or target.group_key is None:
            self.tell("info", "Select a target group to resync.")
            return None
        name = f"{target.group!r} ({target.bridge})"
        return self._run(
            f"Resync {target.group}",
            SyncRequest(target.bridge, SyncKind.RESYNC_GROUP, target.group_key, Trigger.MANUAL),
            done=lambda r: self.tell("info", f"Resynced {name}: {_changes(r)}."),
            failed=f"The resync of {name} failed",
            cancelled=f"The resync of {name} was cancelled; the mirror and its counts are "
                      "unchanged.")

    def run_preview(self, target: Target | None = None) -> Job | None:
        target = target or self.target
        if target is None or target.group_key is None:
            self.tell("info", "Select a target group to preview its resync.")
            return None
        return self._run(
            f"Preview {target.group}",
            SyncRequest(target.bridge, SyncKind.RESYNC_GROUP, target.group_key, Trigger.MANUAL,
                        dry_run=True),
            done=lambda r: self.preview_ready.emit(target, r),
            failed=f"The preview of {target.group!r} ({target.bridge}) failed",
            cancelled=f"The preview of {target.group!r} was cancelled; nothing was applied.")

    def run_refresh_list(self, target: Target | None = None) -> Job | None:
        target = target or self.target
        if target is None:
            self.tell("info", "Select a bridge (or one of its groups) to refresh its list.")
            return None
        return self._run(
            f"Refresh list of {target.bridge}",
            SyncRequest(target.bridge, SyncKind.REFRESH_LIST, trigger=Trigger.MANUAL),
            done=lambda r: self.tell("info", r.summary or f"Refreshed {target.bridge}'s list."),
            failed=f"Refreshing the target group list of {target.bridge} failed",
            cancelled="The list refresh was cancelled; the mirror is unchanged.")

    def run_full_refresh(self, target: Target | None = None) -> Job | None:
        """Runs even when the button is disabled: the sync service enforces the staff rule."""
        target = target or self.target
        if target is None:
            self.tell("info", "Select an iMIS bridge to run a full refresh.")
            return None
        return self._run(
            f"Full refresh of {target.bridge}",
            SyncRequest(target.bridge, SyncKind.FULL, trigger=Trigger.MANUAL),
            done=lambda r: self.tell("info", f"Full refresh of {target.bridge}: "
                                             f"{_changes(r)}."),
            failed=f"The full refresh of {target.bridge} was not run",
            cancelled="The full refresh was cancelled; the mirror is unchanged.")

    def _run(self, label: str, request: SyncRequest, *, done: Callable[[SyncResult], None],
             failed: str, cancelled: str) -> Job:
        sync = self.services.sync

        def ended(report: Callable[[], None]) -> Callable[..., None]:
            def handler(*_args: object) -> None:
                report()
                self.services.events.changed.emit()  # the sync log has the run
            return handler

        job = self.services.jobs.submit(
            label, lambda cancel, progress: sync.run(request, progress, cancel),
            on_done=lambda r: ended(lambda: done(r))(),
            on_error=lambda s: ended(lambda: self.tell("error", f"{failed}: {s}"))(),
            on_cancelled=ended(lambda: self.tell("info", cancelled)))
        self.running = job
        job.finished.connect(lambda: self._finished(job))
        self.update_state()
        return job

    def _finished(self, job: Job) -> None:
        if self.running is job:
            self.running = None
            self.update_state()


def _changes(result: SyncResult) -> str:
    c = result.counts
    after = f"; {c.members_after:,} members now" if c.members_after is not None else ""
    return (f"{c.added:,} added, {c.updated:,} updated, {c.removed:,} removed, "
            f"{c.excluded:,} excluded{after}")
