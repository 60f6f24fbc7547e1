"""The child process a large read streams from (connectors/child_stream)."""

from __future__ import annotations

import gc

from informz_console.connectors.child_stream import stream_from_child


def test_the_child_never_runs_a_full_collection():
    """It holds only short-lived pages: full collections, which walk every object alive,
    wait for ever there; the young generations collect as usual."""
    [(young, middle, oldest)] = stream_from_child("tests.child_probe", None, lambda: False)
    assert oldest == 1 << 30
    assert (young, middle) == gc.get_threshold()[:2]  # the interpreter's own: not changed
