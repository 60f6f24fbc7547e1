"""How the Python interpreter is shared between the window and its jobs, so jobs never stall it.

Only one thread runs Python at a time (the GIL). Measured with tests/bench/bench_gui.py during
a 1,000,000-member resync in a job:
- Python's cyclic garbage collector holds the GIL for a whole collection. A full (oldest
  generation) collection walks every tracked object alive, millions during a big sync (100+ ms
  each). So while jobs run, only the young generations collect (sync/collector.py, which every
  sync run holds too) and full collections wait for the end.
  `settle()` moves what start-up built (the window, the imported libraries) out of the
  collector's sight for good, as long-running Python services do (gc.freeze): later full
  collections walk only what is new.
- A thread that wants the GIL waits up to the switch interval (5 ms) for each thread ahead of
  it; a sync has four (its own and three page fetchers), so the window waited up to 49 ms.
  While jobs run the interval is 2 ms: the longest wait fell to 27 ms, the sync took no longer.
"""

from __future__ import annotations

import gc
import sys

from informz_console.sync import collector
from informz_console.sync.collector import NO_FULL_COLLECTION

__all__ = ["JOBS_SWITCH_INTERVAL_S", "NO_FULL_COLLECTION", "InterpreterPolicy"]

JOBS_SWITCH_INTERVAL_S = 0.002


class InterpreterPolicy:
    """One per job runner; the settings are the process's, so they are held while any runner
    has jobs (two windows' runners overlap while a mirror is being switched) and given back
    when the last one lets go."""

    _holders = 0
    _saved: float | None = None  # the switch interval before the jobs

    def __init__(self) -> None:
        self._holding = False

    @staticmethod
    def settle() -> None:
        """Collect once, then freeze what is alive: call when a quiet moment follows."""
        gc.collect()
        gc.freeze()

    def jobs_started(self) -> None:
        if self._holding:
            return
        self._holding = True
        cls = InterpreterPolicy
        collector.hold()
        if cls._holders == 0:
            cls._saved = sys.getswitchinterval()
            sys.setswitchinterval(min(cls._saved, JOBS_SWITCH_INTERVAL_S))
        cls._holders += 1

    def jobs_ended(self) -> None:
        if not self._holding:
            return
        self._holding = False
        cls = InterpreterPolicy
        cls._holders -= 1
        if cls._holders == 0 and cls._saved is not None:
            sys.setswitchinterval(cls._saved)
            cls._saved = None
        collector.release()
