"""Start the console window: on the last mirror, a given one, or the demo.

    informz-console                       the last mirror used (else the default one)
    informz-console --mirror PATH|URL     that mirror
    informz-console --demo                a demo mirror wired to sandbox AMS it starts itself
    informz-console --demo --screenshot DIR   the same, a PNG per tab, then exit
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from platformdirs import user_log_dir
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine

from informz_console.demo import demo_mirror_path
from informz_console.store.engine import default_mirror_path
from informz_console.ui.demo_session import DemoSession
from informz_console.ui.icons import app_icon
from informz_console.ui.interpreter_policy import InterpreterPolicy
from informz_console.ui.jobs import JobRunner
from informz_console.ui.main_window import MainWindow
from informz_console.ui.mirror_opening import MirrorOpening
from informz_console.ui.screenshots import save_screenshots, wait_idle
from informz_console.ui.services import Services
from informz_console.user_settings import load_settings

SCREENSHOT_SIZE = (1440, 900)


def log_to_file() -> Path:
    """Unexpected errors are one sentence in the window and the full detail here."""
    path = Path(user_log_dir("informz_console", appauthor=False)) / "console.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    return path


QT_NOISE = ("This plugin does not support propagateSizeHints()",)  # offscreen platform chatter


def qt_messages_to_log(kind: QtMsgType, _context, message: str) -> None:  # type: ignore[no-untyped-def]
    """Qt's own warnings go to the console log, not the terminal of a scheduled run."""
    if message in QT_NOISE:
        return
    level = logging.DEBUG if kind == QtMsgType.QtDebugMsg else logging.WARNING
    logging.getLogger("qt").log(level, "%s", message)


def no_display() -> str | None:
    """Qt aborts the process without a display; say so in one sentence instead."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("No display to open the console window on: run it in a desktop session, add "
            "QT_QPA_PLATFORM=offscreen with --screenshot DIR, or use the headless commands "
            "(informz-console --help).")


class Console:
    """Owns the window of the open mirror; opening another mirror replaces the window. A
    mirror is opened off the GUI thread (ui/mirror_opening.py): the window stays live meanwhile."""

    def __init__(self, app: QApplication, args: argparse.Namespace) -> None:
        self.app = app
        self.args = args
        self.window: MainWindow | None = None
        self.demo: DemoSession | None = None
        self.opening: MirrorOpening | None = None
        self.jobs = JobRunner()  # the openings' own: a window's jobs end with the window
        self.exit_code = 0

    def first_mirror(self) -> str:
        if self.args.demo:
            return self.args.mirror or str(demo_mirror_path())
        return (self.args.mirror or os.environ.get("INFORMZ_MIRROR")
                or load_settings().last_mirror or str(default_mirror_path()))

    def open(self, mirror: str, *, then_say: str | None = None) -> MirrorOpening | None:
        """Start opening `mirror`; its window replaces the current one once it is open. A
        mirror that cannot be opened leaves the current window as it is and says why (at
        start-up, the default mirror opens instead, saying why). `then_say`: an error to show
        in the new window. None while another opening runs."""
        if self.opening is not None:
            return None
        opening = MirrorOpening(self.jobs, mirror, self.window)
        opening.opened.connect(lambda engine: self._opened(mirror, engine, then_say))
        opening.failed.connect(lambda sentence: self._not_opened(mirror, sentence))
        opening.cancelled.connect(lambda: self._not_opened(mirror, None))
        self.opening = opening
        return opening

    def _opened(self, mirror: str, engine: Engine, then_say: str | None) -> None:
        self.opening = None
        services = Services(mirror, engine)
        services.remember_mirror()
        old = self.window
        self._show(services)
        if then_say is not None:
            services.events.message.emit("error", then_say)
        if old is not None:
            old.close()
            old.services.engine.dispose()

    def _not_opened(self, mirror: str, sentence: str | None) -> None:
        self.opening = None
        if self.window is not None:
            if sentence is not None:
                self.window.message_bar.show_message("error", sentence)
        elif sentence is None:  # cancelled at start-up: there is no window to go back to
            self.app.quit()
        elif mirror != (fallback := str(default_mirror_path())):
            self.open(fallback, then_say=sentence)
        else:  # not even the default mirror: nothing to show a window on
            print(sentence, file=sys.stderr)
            self.exit_code = 1
            self.app.quit()

    def _show(self, services: Services) -> None:
        window = MainWindow(services)
        window.open_mirror_requested.connect(self.open)
        window.remember_recent()
        if self.args.screenshot:
            window.resize(*SCREENSHOT_SIZE)
        window.show()
        first = self.window is None
        if first:  # the first window: what start-up built lives as long as we do
            InterpreterPolicy.settle()
        self.window = window
        window.start(login_syncs=not self.args.demo)
        if first and self.args.demo:
            self.start_demo()

    def start_demo(self) -> None:
        assert self.window is not None
        self.demo = DemoSession(self.window.services, members=self.args.demo_members)
        self.demo.start(on_ready=self._demo_ready)

    def _demo_ready(self, outcome) -> None:  # type: ignore[no-untyped-def]
        if outcome is None or not outcome.ok:
            self.exit_code = 1
        if self.window is not None:
            self.window.start(login_syncs=False)
        if self.args.screenshot and self.window is not None:
            wait_idle(self.window)
            for path in save_screenshots(self.window, Path(self.args.screenshot)):
                print(path)
            self.window.close()
            self.app.quit()

    def close(self) -> None:
        self.jobs.shutdown()
        if self.demo is not None:
            self.demo.stop()


def run_console(args: argparse.Namespace) -> int:
    if sentence := no_display():
        print(sentence, file=sys.stderr)
        return 1
    if args.screenshot and not args.demo:
        print("--screenshot needs --demo (the pictures are of the demo sandbox).",
              file=sys.stderr)
        return 1
    log_to_file()
    qInstallMessageHandler(qt_messages_to_log)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("informz console")
    app.setWindowIcon(app_icon())
    console = Console(app, args)  # type: ignore[arg-type]
    console.open(console.first_mirror())
    try:
        code = app.exec()
    finally:
        console.close()
    return code or console.exit_code
