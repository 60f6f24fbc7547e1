"""Login syncs on open, and what else is due now (seed triggers; rules in sync/due.py).

When the window opens, the login-triggered runs that are due (Personify >= 10 min, netFORUM
>= 30 min, only for a non-staff user) run in a job; the rest of what is due is shown in the
status bar and can be run from Sync > Run what is due.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from informz_console.sync.cancel import CancelToken, ProgressCallback
from informz_console.sync.due import (
    DueRun,
    DueWritebacks,
    due_now,
    run_due_writebacks,
    writebacks_due,
)
from informz_console.sync.requests import SyncResult, Trigger
from informz_console.ui.services import Services

RECHECK_MS = 10 * 60 * 1000


class DueWatch(QObject):
    found = Signal(list)  # the due runs' sentences

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.due: list[DueRun] = []
        self.writebacks: list[DueWritebacks] = []
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(RECHECK_MS)

    def _run(self, due: list[DueRun], cancel: CancelToken,
             progress: ProgressCallback) -> list[SyncResult]:
        """Each due run with its trigger recorded; a cancel stops before the next one."""
        results = []
        for item in due:
            if cancel.cancelled:
                break
            results.append(self.services.sync.run(item.request(), progress, cancel))
        return results

    def _due(self, _: CancelToken, __: ProgressCallback) -> list[DueRun]:
        return due_now(self.services.engine, self.services.clock,
                       user_is_staff=self.services.settings.is_staff)

    def _everything_due(self, cancel: CancelToken, progress: ProgressCallback
                        ) -> tuple[list[DueRun], list[DueWritebacks]]:
        return (self._due(cancel, progress),
                writebacks_due(self.services.engine, self.services.clock))

    def check(self) -> None:
        self.services.jobs.submit("Checking what is due", self._everything_due,
                                  on_done=self._show, key="due")

    def _show(self, found: tuple[list[DueRun], list[DueWritebacks]]) -> None:
        self.due, self.writebacks = found
        self.found.emit([run.describe() for run in self.due]
                        + [item.describe() for item in self.writebacks])

    def run_login_syncs(self) -> None:
        """On open: run what the login trigger makes due, then show what else is due."""
        def work(cancel: CancelToken, progress: ProgressCallback) -> list[SyncResult]:
            login = [run for run in self._due(cancel, progress) if run.trigger is Trigger.LOGIN]
            return self._run(login, cancel, progress)

        self.services.jobs.submit("Login syncs", work, on_done=self._login_done, key="login")

    def _login_done(self, results: list[SyncResult]) -> None:
        failed = [r.error for r in results if not r.ok and r.error]
        if results:
            self.services.events.changed.emit()
        if failed:
            self.services.events.message.emit("warning", f"A login sync failed: {failed[0]}")
        self.check()

    def run_all(self) -> None:
        """Sync > Run what is due: the due syncs, then the writebacks (as `due --run`)."""
        due = list(self.due)
        if not due and not self.writebacks:
            self.services.events.message.emit("info", "Nothing is due now.")
            return
        services = self.services

        def work(cancel: CancelToken, progress: ProgressCallback):  # type: ignore[no-untyped-def]
            results = self._run(due, cancel, progress)
            cancel.raise_if_cancelled()
            _, report = run_due_writebacks(services.engine, services.clock, services.credentials)
            return results, report

        services.jobs.submit(f"Running {len(due)} due sync(s) and the writebacks", work,
                             on_done=self._ran, key="due-run")

    def _ran(self, outcome) -> None:  # type: ignore[no-untyped-def]
        results, report = outcome
        failed = [r for r in results if not r.ok]
        self.services.events.changed.emit()
        level = "warning" if failed or report.failed else "info"
        tail = f"; {len(failed)} failed: {failed[0].error}" if failed else ""
        self.services.events.message.emit(
            level, f"Ran {len(results)} due sync(s){tail}. Writebacks: {report.sentence()}")
        self.check()
