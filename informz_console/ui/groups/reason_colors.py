"""One colour per kind of outcome, the same in every chart and panel of the tab."""

from __future__ import annotations

SYNCED = "#3a9d5d"
_COLORS = {
    "status_not_accepted": "#7d8fa6",
    "deactivated": "#9a9a9a",
    "no_ams_id": "#b08b5a",
    "missing_email": "#e0a040",
    "invalid_email": "#d9822b",
    "bad_email": "#c0603a",
    "duplicate_email": "#8e6bbf",
    "remote_unsubscribed": "#c9514f",
    "unsubscribed": "#b03a48",
    "opted_out": "#a0305a",
}


def reason_color(reason: str) -> str:
    return _COLORS.get(reason, "#888888")
