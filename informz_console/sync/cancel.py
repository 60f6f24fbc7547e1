"""Cooperative cancel and progress for long operations.

The sync checks `CancelToken.raise_if_cancelled()` at safe points (between pages, between merge
statements); the exception unwinds to the run, which rolls back, so the mirror is untouched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


class SyncCancelled(Exception):
    def __init__(self) -> None:
        super().__init__("The sync was cancelled; the mirror is unchanged.")


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep until cancelled or `seconds` pass; True when cancelled."""
        return self._event.wait(seconds)

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise SyncCancelled()


@dataclass(frozen=True, slots=True)
class Progress:
    phase: str  # "fetch" | "merge" | ...
    done: int
    total: int | None  # None while the size is unknown


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    pass
