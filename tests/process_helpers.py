"""This test process's children, as Linux shows them in /proc: the processes the console starts
to read a large group (sync/fetch_process, connectors/imis_iqa_process)."""

from __future__ import annotations

import os
from pathlib import Path


def live_children(module: str) -> list[int]:
    """The pids of this process's living children running `python -m module`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # it ended while we looked
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == os.getpid() and module.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found
