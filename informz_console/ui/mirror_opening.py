"""Opening a mirror off the GUI thread.

Connecting to a server mirror waits on the network, and upgrading a large mirror made by an
older version of the console takes a while (a million-member SQLite mirror about half a
minute): both run as a job, behind a progress dialog that appears only when the opening is
slow. Cancel stops an upgrade after the step it is on; the upgrade is one transaction, so the
mirror stays at the version it had.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from sqlalchemy import Engine

from informz_console.store.engine import open_engine, shown
from informz_console.store.migrate import UpgradeStopped
from informz_console.sync.cancel import CancelToken, Progress, ProgressCallback, SyncCancelled
from informz_console.ui.jobs import Job, JobRunner

SHOW_AFTER_MS = 400  # a mirror that opens faster never flashes a dialog


class MirrorOpening(QObject):
    """One mirror being opened: ends with exactly one of `opened`, `failed`, `cancelled`,
    then `finished`."""

    opened = Signal(object)  # the migrated Engine; the receiver owns it
    failed = Signal(str)  # one sentence: what to fix
    cancelled = Signal()
    finished = Signal()

    def __init__(self, jobs: JobRunner, target: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.dialog = QProgressDialog(f"Opening the mirror {shown(target)}…", "Cancel", 0, 0,
                                      parent)
        self.dialog.setWindowTitle("Opening mirror")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setValue(0)  # starts the timer that shows it once SHOW_AFTER_MS pass
        self.job: Job = jobs.submit(f"Opening the mirror {shown(target)}", self._work,
                                    on_done=self._done, on_error=self._failed,
                                    on_cancelled=self._cancelled)
        self.job.progressed.connect(self._progressed)
        self.dialog.canceled.connect(self._cancel)

    def _work(self, cancel: CancelToken, progress: ProgressCallback) -> Engine:
        def step(done: int, total: int) -> bool:
            progress(Progress("upgrade", done, total))
            return not cancel.cancelled

        try:
            return open_engine(self.target, progress=step)
        except UpgradeStopped:
            raise SyncCancelled from None

    def _progressed(self, phase: str, done: int, total: int) -> None:
        if phase != "upgrade" or total == 0:  # at this version already: nothing to say
            return
        self.dialog.setLabelText(
            f"Upgrading the mirror {shown(self.target)} for this version of the console: "
            f"step {min(done + 1, total)} of {total}.\nA large mirror takes a minute; Cancel "
            f"leaves it as it was.")
        self.dialog.setRange(0, total)
        self.dialog.setValue(done)

    def _cancel(self) -> None:
        self.dialog.setLabelText("Cancelling after the step in progress…")
        button = self.dialog.findChild(QPushButton)
        if button is not None:  # disabled, not removed: it is the sender of this signal
            button.setEnabled(False)
        self.job.cancel()

    def _done(self, engine: Engine) -> None:
        if self.job.token.cancelled:  # it opened before the cancel was seen: still cancelled
            engine.dispose()
            self._end(self.cancelled)
            return
        self._end(self.opened, engine)

    def _failed(self, sentence: str) -> None:
        self._end(self.failed, sentence)

    def _cancelled(self) -> None:
        self._end(self.cancelled)

    def _end(self, signal, *args) -> None:  # type: ignore[no-untyped-def]
        self.dialog.hide()
        self.dialog.deleteLater()
        signal.emit(*args)
        self.finished.emit()
