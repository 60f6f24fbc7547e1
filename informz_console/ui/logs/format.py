"""How the sync log and the look-up write times, durations, counts and codes.

Times are shown in UTC, as the explanations and the CLI write them, so a time in a table and
the same time in a verdict sentence always match.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtGui import QColor

RED = QColor("#a61b1b")
AMBER = QColor("#9a6200")
BLUE = QColor("#1f5fa8")
GREEN = QColor("#1e7b34")
GREY = QColor("#6b6b6b")

STATUS_COLORS = {"failed": RED, "interrupted": AMBER, "cancelled": AMBER, "running": BLUE}
WRITEBACK_COLORS = {"failed": RED, "processing": AMBER, "sent": GREY}

KINDS = {"refresh_list": "Refresh list", "resync_group": "Resync group", "partial": "Partial",
         "full": "Full refresh", "changes": "Change feed"}
MODES = {"live": "Live", "dry_run": "Dry run"}


def when(at: datetime | None, seconds: bool = True) -> str:
    if at is None:
        return ""
    return f"{at:%Y-%m-%d %H:%M:%S}" if seconds else f"{at:%Y-%m-%d %H:%M}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:  # a small group's run: "0.0 s" on every row told the advisor nothing
        return f"{max(1, round(seconds * 1000))} ms" if seconds < 0.9995 else "1.0 s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def words(code: str | None) -> str:
    """A stored code as words: `list_refresh` -> `List refresh`."""
    return (code or "").replace("_", " ").capitalize()


def kind(code: str) -> str:
    return KINDS.get(code, words(code))


def mode(code: str) -> str:
    return MODES.get(code, words(code))
