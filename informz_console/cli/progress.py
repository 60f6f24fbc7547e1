"""Progress on stderr for a person at a terminal; Ctrl+C asks the run to cancel cleanly."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from informz_console.sync.cancel import CancelToken, Progress


class TerminalProgress:
    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._last = ""

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        total = f"/{progress.total:,}" if progress.total else ""
        text = f"\r{progress.phase}: {progress.done:,}{total}"
        if text != self._last:
            sys.stderr.write(text.ljust(40))
            sys.stderr.flush()
            self._last = text

    def done(self) -> None:
        if self.enabled and self._last:
            sys.stderr.write("\r" + " " * 40 + "\r")
            sys.stderr.flush()


@contextmanager
def cancel_on_interrupt() -> Iterator[CancelToken]:
    """The first Ctrl+C cancels the run (which rolls back); a second one stops at once."""
    token = CancelToken()

    def on_interrupt(_signum, _frame) -> None:  # type: ignore[no-untyped-def]
        if token.cancelled:
            raise KeyboardInterrupt
        sys.stderr.write("\nCancelling: the mirror will be left as it was...\n")
        token.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)
