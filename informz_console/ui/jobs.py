"""One small job API for every piece of background work in the console.

    job = services.jobs.submit("Resync Everyone", work, on_done=show, key="counts")

Guarantees (tests in tests/ui/test_jobs.py hold us to them):

- `work(cancel, progress)` runs on its own QThread, never on the GUI thread. It receives a
  `CancelToken` and a `ProgressCallback` (the same ones the sync and the CLI use) and returns
  a plain value. It must not touch a widget.
- `on_done(value)` / `on_error(sentence)` / `on_cancelled()` run on the GUI thread, exactly one
  of them, once. A `SyncResult` that failed or was cancelled is routed to `on_error` /
  `on_cancelled`, so callers render one outcome shape.
- Errors a user can cause arrive as their own one sentence; anything else as one sentence that
  names the job, with the traceback only in the log (never in a dialog).
- Progress is throttled to a few updates a second, so a fast loop cannot flood the GUI thread.
- `key`: a newer job with the same key makes an older one's result stale; a stale result is
  dropped (and the older job is asked to cancel), so a slow answer never overwrites a newer one.
- While any job runs, the interpreter favours the window (ui/interpreter_policy.py): no full
  garbage collection (one over the millions of objects a big sync holds stops every thread for
  100+ ms) and a shorter GIL switch interval.
- `JobRunner.shutdown()` cancels everything and waits for the threads (the window calls it on
  close; tests fail if a thread is left running).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from informz_console.connectors.errors import ConnectorError
from informz_console.store.engine import MirrorError
from informz_console.sync.cancel import CancelToken, Progress, ProgressCallback, SyncCancelled
from informz_console.sync.requests import SyncResult
from informz_console.sync.run_plan import SyncError
from informz_console.ui.interpreter_policy import InterpreterPolicy

log = logging.getLogger(__name__)

Work = Callable[[CancelToken, ProgressCallback], Any]
# Errors whose message is already one sentence for the user (as in the CLI).
USER_ERRORS = (ConnectorError, SyncError, MirrorError, LookupError, ValueError, OSError)
PROGRESS_INTERVAL_S = 0.1


class _Worker(QObject):
    """Runs `work` on the job's thread and reports through queued signals."""

    progressed = Signal(str, int, int)  # phase, done, total (-1 while unknown)
    returned = Signal(object)
    raised = Signal(str)
    stopped = Signal()  # cancelled

    def __init__(self, label: str, work: Work, cancel: CancelToken) -> None:
        super().__init__()
        self._label, self._work, self._cancel = label, work, cancel
        self._last_emit = 0.0

    def _progress(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit = now
            total = -1 if progress.total is None else progress.total
            self.progressed.emit(progress.phase, progress.done, total)

    def _bug(self, error: Exception) -> None:
        log.error("%s failed", self._label, exc_info=error)
        self.raised.emit(f"{self._label} failed unexpectedly ({type(error).__name__}); "
                         "the details are in the log.")

    @Slot()
    def run(self) -> None:
        try:
            value = self._work(self._cancel, self._progress)
        except SyncCancelled:
            self.stopped.emit()
        except (KeyError, IndexError) as error:  # lookups in our own code: a bug, not the user
            self._bug(error)
        except USER_ERRORS as error:
            self.raised.emit(str(error) or type(error).__name__)
        except Exception as error:  # noqa: BLE001 - one sentence for the user, detail in the log
            self._bug(error)
        else:
            if isinstance(value, SyncResult) and value.status == "cancelled":
                self.stopped.emit()
            elif isinstance(value, SyncResult) and not value.ok:
                self.raised.emit(value.error or f"{self._label} failed.")
            else:
                self.returned.emit(value)


class Job(QObject):
    """The GUI-side handle of one piece of background work."""

    progressed = Signal(str, int, int)  # phase, done, total (-1 while unknown)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()  # after exactly one of the three above (or after being dropped)

    def __init__(self, label: str, key: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label, self.key = label, key
        self.token = CancelToken()
        self.stale = False
        self.done = False
        self.thread: QThread | None = None

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def running(self) -> bool:
        return not self.done


class JobRunner(QObject):
    """Starts jobs on their own threads and keeps track of what is running."""

    changed = Signal()  # a job started or ended: the status bar re-reads `running`

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[Job] = []
        self._workers: dict[Job, _Worker] = {}
        self._by_thread: dict[QThread, Job] = {}
        self._newest: dict[str, Job] = {}
        self._interpreter = InterpreterPolicy()

    @property
    def running(self) -> list[Job]:
        return [job for job in self._jobs if not job.done]

    def submit(self, label: str, work: Work, *,
               on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None,
               on_cancelled: Callable[[], None] | None = None,
               key: str | None = None) -> Job:
        job = Job(label, key, self)
        if key is not None:
            older = self._newest.get(key)
            if older is not None and not older.done:
                older.stale = True
                older.cancel()
            self._newest[key] = job
        worker = _Worker(label, work, job.token)
        thread = QThread()
        thread.setObjectName(f"job: {label}")
        worker.moveToThread(thread)
        job.thread = thread
        self._workers[job] = worker

        def fresh(callback):  # type: ignore[no-untyped-def]
            """Deliver to the caller only when no newer job with the same key exists."""
            def deliver(*args):  # type: ignore[no-untyped-def]
                if not job.stale and callback is not None:
                    callback(*args)
            return deliver

        worker.progressed.connect(job.progressed)
        worker.returned.connect(job.succeeded)
        worker.raised.connect(job.failed)
        worker.stopped.connect(job.cancelled)
        job.succeeded.connect(fresh(on_done))
        job.failed.connect(fresh(on_error))
        job.cancelled.connect(fresh(on_cancelled))
        for signal in (worker.returned, worker.raised, worker.stopped):
            # direct: quit is thread-safe, and shutdown() may be waiting on the GUI thread
            signal.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.started.connect(worker.run)
        thread.finished.connect(self._thread_finished)  # queued: runs on the GUI thread
        self._by_thread[thread] = job
        self._interpreter.jobs_started()
        self._jobs.append(job)
        thread.start()
        self.changed.emit()
        return job

    @Slot()
    def _thread_finished(self) -> None:
        job = self._by_thread.get(self.sender())  # type: ignore[arg-type]
        if job is not None:
            self._ended(job)

    def _ended(self, job: Job) -> None:
        if job.done:
            return
        job.done = True
        worker = self._workers.pop(job, None)
        if worker is not None:
            worker.deleteLater()
        if job.thread is not None:
            job.thread.wait()
            self._by_thread.pop(job.thread, None)
            job.thread.deleteLater()
            job.thread = None
        if self._newest.get(job.key or "") is job:
            del self._newest[job.key or ""]
        self._jobs.remove(job)
        if not self.running:
            self._interpreter.jobs_ended()
        job.finished.emit()
        self.changed.emit()
        job.deleteLater()  # a day of status checks must not pile up QObjects; its Python
        # attributes (done, stale, cancel) stay readable for callers that kept the handle

    def cancel_all(self) -> None:
        for job in self.running:
            job.cancel()

    def shutdown(self, wait_ms: int = 30_000) -> None:
        """Cancel every job and wait for its thread: nothing outlives the window."""
        self.cancel_all()
        for job in list(self._jobs):
            job.stale = True  # the widgets that would render a late result are going away
            if job.thread is not None:
                job.thread.wait(wait_ms)
            self._ended(job)
