"""The running work in the status bar: what runs, how far it is, and a Cancel button."""

from __future__ import annotations

import contextlib

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from informz_console.ui.jobs import Job, JobRunner

PHASES = {"fetch": "fetching", "merge": "merging", "stage": "staging", "rules": "checking"}


class JobBar(QWidget):
    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel this work; the mirror stays as it was (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._shown: Job | None = None
        jobs.changed.connect(self._update)
        self._update()

    def cancel(self) -> None:
        if self._shown is not None:
            self._shown.cancel()
            self.label.setText(f"Cancelling {self._shown.label}…")

    def _update(self) -> None:
        running = self.jobs.running
        job = running[-1] if running else None
        if job is not self._shown:
            if self._shown is not None:
                with contextlib.suppress(RuntimeError, TypeError):  # already gone
                    self._shown.progressed.disconnect(self._progress)
            self._shown = job
            if job is not None:
                job.progressed.connect(self._progress)
                self.bar.setRange(0, 0)  # busy until the first progress report
        self.setVisible(job is not None)
        if job is not None:
            more = f" (+{len(running) - 1} more)" if len(running) > 1 else ""
            self.label.setText(f"{job.label}{more}")

    def _progress(self, phase: str, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{PHASES.get(phase, phase)} %p%")
        else:
            self.bar.setRange(0, 0)
        self.bar.setToolTip(f"{PHASES.get(phase, phase)}: {done:,}"
                            + (f" of {total:,}" if total > 0 else ""))
