"""Words for the codes stored in the mirror."""

from __future__ import annotations

from informz_console.domain.exclusions import ExclusionReason

NOT_IN_QUERY = "not_in_query"


def reason_label(code: str | None) -> str:
    if code is None:
        return ""
    if code == NOT_IN_QUERY:
        return "No longer in the AMS query or list"
    try:
        return ExclusionReason(code).label
    except ValueError:
        return code
