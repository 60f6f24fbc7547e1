"""`--screenshot DIR`: a PNG of each tab, taken once the window has nothing left to do."""

from __future__ import annotations

import re
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from informz_console.ui.main_window import MainWindow


def wait_idle(window: MainWindow, timeout_s: float = 120.0) -> bool:
    """Process events until no job runs (or the timeout passes); True when idle."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if not window.services.jobs.running:
            QApplication.processEvents()
            return True
        time.sleep(0.02)
    return False


def save_screenshots(window: MainWindow, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    saved = []
    window.message_bar.hide()
    for number, page in enumerate(window.pages, start=1):
        window.tabs.setCurrentWidget(page)
        page.reload()
        wait_idle(window)
        page.prepare_screenshot()
        wait_idle(window)
        slug = re.sub(r"[^a-z0-9]+", "-", page.title.lower()).strip("-")
        path = directory / f"{number:02d}-{slug}.png"
        window.grab().save(str(path))
        saved.append(path)
    return saved
