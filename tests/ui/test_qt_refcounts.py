"""The Qt binding keeps Python's reference counts: a console left open all day makes millions
of signal and slot calls, and one lost reference per call to None or True aborts the process
(`none_dealloc`) — as PySide6 6.12.0 does on Python 3.11 (pinned out in pyproject.toml)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal

CALLS = 200


class Emitter(QObject):
    bare = Signal()
    progressed = Signal(str, int, int)


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def tick(self, *args) -> None:
        self.calls += 1


def test_signal_emits_and_slot_calls_keep_none_and_bool_references(qapp):
    emitter, counter = Emitter(), Counter()
    emitter.bare.connect(counter.tick)
    emitter.progressed.connect(counter.tick)
    before = {name: sys.getrefcount(value) for name, value in
              (("None", None), ("True", True), ("False", False))}
    for n in range(CALLS):
        emitter.bare.emit()
        emitter.progressed.emit("fetch", n, CALLS)
    after = {name: sys.getrefcount(value) for name, value in
             (("None", None), ("True", True), ("False", False))}
    assert counter.calls == 2 * CALLS
    # other code may take or drop a few references meanwhile; a binding bug loses one per call
    assert all(abs(after[name] - before[name]) < CALLS // 2 for name in before), (before, after)


def test_timer_ticks_keep_none_references(qtbot):
    counter = Counter()
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(counter.tick)
    before = sys.getrefcount(None)
    timer.start()
    qtbot.waitUntil(lambda: counter.calls >= CALLS)
    timer.stop()
    assert abs(sys.getrefcount(None) - before) < counter.calls // 2
