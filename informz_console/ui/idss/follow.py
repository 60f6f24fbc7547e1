"""iDSS "real time" (issue 3, seed 002: "changes are copied to Informz when the changes are made
and saved"): while switched on, poll each iDSS bridge's change feed every few seconds, one job
per bridge at a time, and say when changes were applied. Off when switched off, on an error,
or when the window closes (so no poll can start after the window's jobs were shut down)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from informz_console.sync.follow import FollowResult, follow_once
from informz_console.ui.jobs import Job
from informz_console.ui.services import Services

FOLLOW_EVERY_MS = 5000


class FollowChanges(QObject):
    polled = Signal(str, int)  # bridge, changes applied by one poll
    stopped = Signal(str)  # why following stopped on its own: one sentence

    def __init__(self, services: Services, parent: QObject | None = None,
                 interval_ms: int = FOLLOW_EVERY_MS) -> None:
        super().__init__(parent)
        self.services = services
        self.bridges: list[str] = []
        self.last_poll: datetime | None = None
        self._jobs: dict[str, Job] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    @property
    def on(self) -> bool:
        return self.timer.isActive()

    def start(self, bridges: list[str]) -> None:
        self.bridges = list(bridges)
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()
        for job in self._jobs.values():
            job.cancel()  # the position is stored only after a poll applied everything

    def poll(self) -> None:
        """One poll per bridge, unless that bridge's previous poll is still running."""
        for bridge in self.bridges:
            job = self._jobs.get(bridge)
            if job is not None and job.running:
                continue
            self._jobs[bridge] = self.services.jobs.submit(
                f"Following the change feed of {bridge}",
                lambda cancel, _p, b=bridge: follow_once(self.services.sync, b, cancel),
                on_done=lambda result, b=bridge: self._polled(b, result),
                on_error=self._failed, key=f"idss-follow:{bridge}")

    def _polled(self, bridge: str, result: FollowResult) -> None:
        self.last_poll = self.services.clock.now()
        if not result.ok:
            failed = next((r.error for r in result.results if not r.ok and r.error), None)
            self._failed(result.error or failed or f"Following {bridge} failed.")
            return
        self.polled.emit(bridge, result.changes)

    def _failed(self, sentence: str) -> None:
        if self.on:
            self.stop()
            self.stopped.emit(sentence)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Installed on the window: stop before it closes and shuts its jobs down."""
        if event.type() == QEvent.Type.Close:
            self.stop()
        return False
