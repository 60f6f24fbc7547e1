"""Why a fetched AMS record is not a member of its target group: exactly one reason each."""

from __future__ import annotations

from enum import StrEnum


class ExclusionReason(StrEnum):
    """The reasons in the order the rules test them (the first that applies is the one kept).

    Seed 000 ("Why isn't my target group count what I think it should be?"): records without
    valid email addresses, without an accepted status, or previously unsubscribed are not synced.
    """

    DEACTIVATED = "deactivated"
    NO_AMS_ID = "no_ams_id"
    STATUS_NOT_ACCEPTED = "status_not_accepted"
    MISSING_EMAIL = "missing_email"
    INVALID_EMAIL = "invalid_email"
    REMOTE_UNSUBSCRIBED = "remote_unsubscribed"
    UNSUBSCRIBED = "unsubscribed"
    OPTED_OUT = "opted_out"
    BAD_EMAIL = "bad_email"
    DUPLICATE_EMAIL = "duplicate_email"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ExclusionReason.DEACTIVATED: "Deactivated or deleted in the AMS",
    ExclusionReason.NO_AMS_ID: "No AMS id",
    ExclusionReason.STATUS_NOT_ACCEPTED: "Status not accepted",
    ExclusionReason.MISSING_EMAIL: "No email address",
    ExclusionReason.INVALID_EMAIL: "Invalid email address",
    ExclusionReason.REMOTE_UNSUBSCRIBED: "Unsubscribed from remote system",
    ExclusionReason.UNSUBSCRIBED: "Unsubscribed",
    ExclusionReason.OPTED_OUT: "Opted out",
    ExclusionReason.BAD_EMAIL: "Bad email (bounced or invalid)",
    ExclusionReason.DUPLICATE_EMAIL: "Duplicate email (another AMS record has it)",
}
