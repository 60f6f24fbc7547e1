"""Is one fetched AMS record synced into its target group, and if not, the one reason why.

Seed 000: "Informz only syncs iMIS records that have statuses that Informz is set to accept,
that have an iMIS ID, that have valid email addresses, and that are not unsubscribed or
opted-out." The record-level rules run here, per record; the mirror-level rules (the
subscriber's status in the mirror, a duplicate email) need the whole mirror and are applied by
the set-based merge with the same reasons and in the same order (`mirror_reason`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from informz_console.domain.emails import EmailVerdict
from informz_console.domain.exclusions import ExclusionReason
from informz_console.domain.records import MAX_AMS_ID, RemoteRecord
from informz_console.domain.statuses import AcceptedStatuses
from informz_console.domain.subscriber_status import BLOCKING_STATUS_REASON, SubscriberStatus


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    """A bridge's rules. `accepted` None: the AMS has no status codes, every record passes."""

    accepted: AcceptedStatuses | None


class Judgement(NamedTuple):
    """A NamedTuple: one is built per fetched record, and tuples are the cheapest to build."""

    record: RemoteRecord
    email: EmailVerdict
    reason: ExclusionReason | None
    detail: str = ""

    @property
    def keeps_subscriber(self) -> bool:
        """Seed 001: a remote opt-out is still brought over, as "Unsubscribed from remote
        system"; every other excluded record leaves the mirror's subscribers untouched."""
        return self.reason is None or self.reason is ExclusionReason.REMOTE_UNSUBSCRIBED


def judge(record: RemoteRecord, policy: SyncPolicy, verdict: EmailVerdict) -> Judgement:
    """The record-level rules, first failing one wins. `verdict` is the record's email's
    (checked in batches by `EmailChecker.check_many`, which asks the mirror's cache once)."""
    if record.deactivated:
        return Judgement(record, verdict, ExclusionReason.DEACTIVATED)
    if not (record.ams_id and record.ams_id.strip()):
        return Judgement(record, verdict, ExclusionReason.NO_AMS_ID)
    if len(record.ams_id) > MAX_AMS_ID and len(record.ams_id.strip()) > MAX_AMS_ID:
        # no AMS id the mirror can hold: cut short, two ids could become one
        return Judgement(record, verdict, ExclusionReason.NO_AMS_ID,
                         f"the AMS id is longer than {MAX_AMS_ID} characters")
    if policy.accepted is not None and not policy.accepted.accepts(record.status):
        return Judgement(
            record, verdict, ExclusionReason.STATUS_NOT_ACCEPTED, f"status {record.status!r}"
        )
    if record.email is None or not record.email.strip():
        return Judgement(record, verdict, ExclusionReason.MISSING_EMAIL)
    if not verdict.valid:
        return Judgement(record, verdict, ExclusionReason.INVALID_EMAIL, verdict.reason or "")
    if record.remote_opt_out:
        return Judgement(record, verdict, ExclusionReason.REMOTE_UNSUBSCRIBED)
    return Judgement(record, verdict, None)


def mirror_reason(status: SubscriberStatus | str | None) -> ExclusionReason | None:
    """The mirror-level rule: a subscriber unsubscribed, opted out or bad in the mirror stays out
    of every group (an unsubscribe is global)."""
    if status is None:
        return None
    return BLOCKING_STATUS_REASON.get(SubscriberStatus(status))
