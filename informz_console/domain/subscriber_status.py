"""A subscriber's status in the mirror, and which statuses keep them out of every group."""

from __future__ import annotations

from enum import StrEnum

from informz_console.domain.exclusions import ExclusionReason


class SubscriberStatus(StrEnum):
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    OPTED_OUT = "opted_out"
    BAD_EMAIL = "bad_email"
    REMOTE_UNSUBSCRIBED = "remote_unsubscribed"


# An unsubscribe is global (DOMAIN.md): a subscriber in one of these statuses is excluded from
# every target group with the matching reason. `remote_unsubscribed` is not here: the AMS
# decides it afresh on every sync, and a record whose AMS flag is back on is resubscribed
# (seed 001: only an unsubscribe that started in the AMS is lifted that way).
BLOCKING_STATUS_REASON: dict[SubscriberStatus, ExclusionReason] = {
    SubscriberStatus.UNSUBSCRIBED: ExclusionReason.UNSUBSCRIBED,
    SubscriberStatus.OPTED_OUT: ExclusionReason.OPTED_OUT,
    SubscriberStatus.BAD_EMAIL: ExclusionReason.BAD_EMAIL,
}

REMOTE_UNSUBSCRIBE_REASON = "Unsubscribed from remote system"
