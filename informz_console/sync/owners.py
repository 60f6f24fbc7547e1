"""Who is doing something: "host:pid" of a console process, and whether it has died.

A sync run and a claimed writeback record their owner, so a console that was killed can be
recognised from the same machine (a run shown interrupted, a writeback claimed again at once
instead of after its lease). Another machine's process cannot be checked from here.
"""

from __future__ import annotations

import os
import socket


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive_on_windows(pid: int) -> bool:
    """os.kill(pid, 0) would terminate the process there; ask for its exit code instead."""
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    code = ctypes.c_ulong()
    try:
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
    finally:
        kernel32.CloseHandle(handle)
    return code.value == 259  # STILL_ACTIVE


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return _alive_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def owner_is_gone(owner: str | None) -> bool:
    """True only for an owner on this machine whose process no longer runs."""
    host, _, pid = (owner or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _alive(int(pid))
