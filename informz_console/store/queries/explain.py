"""Why is this subscriber (not) in this target group? Answered from the mirror alone.

The verdict is one sentence an advisor can read to a client; the facts behind it (status,
AMS ids, the latest resync's exclusion, the history of adds and removals) come with it.

An advisor often has the email as the AMS holds it. Where the sync auto-corrected that
address (an iCORRECT writeback: `admin@@x.org` -> `admin@x.org`), the subscriber is found by
the corrected one, and the verdict says what the AMS gave and where the writeback stands.
An AMS id on the group's bridge is taken too: its subscriber, or the record's exclusion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from informz_console.domain.emails import autocorrect
from informz_console.domain.writeback_rules import CORRECTION_TYPE
from informz_console.store.models import (
    Bridge,
    Exclusion,
    Membership,
    RunChange,
    Subscriber,
    SubscriberLink,
    SyncRun,
    TargetGroup,
    Writeback,
)
from informz_console.store.queries.counts import latest_resync
from informz_console.store.queries.history import HistoryEntry, subscriber_history
from informz_console.store.queries.labels import reason_label


@dataclass
class Explanation:
    email: str
    group: str
    bridge: str
    is_member: bool
    verdict: str
    status: str | None = None
    status_reason: str | None = None
    ams_ids: list[str] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    asked_ams_id: str | None = None  # what was asked, when it was taken as an AMS id


CORRECTION = CORRECTION_TYPE["imis"]  # the writeback a sync queues for a corrected email
_WRITEBACK_STATE = {"ready": "is waiting to be sent", "processing": "is being sent",
                    "sent": "was sent", "failed": "failed"}


def explain(session: Session, email: str, group: TargetGroup) -> Explanation:
    """`email` may also be an AMS id on the group's bridge (what an advisor often has)."""
    key = email.strip().lower()
    bridge = session.get(Bridge, group.bridge_id)
    subscriber = _subscriber(session, key)
    if subscriber is None:  # perhaps the AMS's own spelling of an email the sync corrected
        subscriber = _corrected_to(session, email, group.bridge_id)
        if subscriber is not None:
            email, key = subscriber.email, subscriber.email_key
    asked_id = None
    if subscriber is None and "@" not in email and email.strip():  # perhaps an AMS id
        asked_id = email.strip()
        subscriber = _linked(session, group.bridge_id, asked_id)
        if subscriber is not None:
            email, key = subscriber.email, subscriber.email_key
    ams_ids = _ams_ids(session, subscriber, group.bridge_id)
    result = Explanation(email, group.name, bridge.name if bridge else "", False, "",
                         ams_ids=ams_ids, asked_ams_id=asked_id)
    if subscriber is not None:
        result.status, result.status_reason = subscriber.status, subscriber.status_reason
    result.history = subscriber_history(session, subscriber.id if subscriber else None, key,
                                        group.id)
    named: list[str] = []  # AMS ids the verdict already speaks of
    result.verdict = _verdict(session, result, subscriber, group, key, named)
    result.verdict += _others_with_this_email(session, group, key, result.ams_ids + named)
    if subscriber is not None:
        result.verdict += _correction_note(session, subscriber, group.bridge_id)
    return result


def _subscriber(session: Session, key: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email_key == key))


def _linked(session: Session, bridge_id: int, ams_id: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).join(
        SubscriberLink, SubscriberLink.subscriber_id == Subscriber.id).where(
        SubscriberLink.bridge_id == bridge_id, SubscriberLink.ams_id == ams_id))


def _corrected_to(session: Session, typed: str, bridge_id: int | None) -> Subscriber | None:
    """The subscriber the sync made of `typed`, an email as the AMS gave it before the sync
    auto-corrected it (on the bridge, when given); None when no correction of it is known."""
    fixed = autocorrect(typed)
    found = _subscriber(session, fixed.lower()) if fixed else None
    if found is not None and _corrections(session, found.id, bridge_id, typed):
        return found
    return None


def _corrections(session: Session, subscriber_id: int, bridge_id: int | None,
                 original: str | None = None) -> list[Writeback]:
    """The subscriber's iCORRECT writebacks (on the bridge, of `original`, when given), newest
    first."""
    where = [Writeback.subscriber_id == subscriber_id, Writeback.type == CORRECTION]
    if bridge_id is not None:
        where.append(Writeback.bridge_id == bridge_id)
    found = session.scalars(
        select(Writeback).where(*where)
        .order_by(Writeback.created_at.desc(), Writeback.id.desc())
    ).all()
    return [w for w in found if original is None or w.payload.get("original") == original]


def _correction_note(session: Session, subscriber: Subscriber, bridge_id: int) -> str:
    """Seed 000 / DOMAIN iCORRECT: the AMS still holds the typo until the writeback lands."""
    notes = []
    for writeback in _corrections(session, subscriber.id, bridge_id):
        p = writeback.payload
        state = _WRITEBACK_STATE.get(writeback.state, writeback.state)
        if writeback.state == "sent" and writeback.sent_at is not None:
            state += f" on {writeback.sent_at:%Y-%m-%d %H:%M}"
        elif writeback.state == "failed" and writeback.last_error:
            state += f" ({writeback.last_error})"
        notes.append(f" AMS id {p.get('ams_id')} gave this email as {p.get('original')!r}: "
                     f"the sync corrected it, and the {CORRECTION} writeback to the AMS {state}.")
    return "".join(notes)


def _others_with_this_email(session: Session, group: TargetGroup, key: str,
                            ams_ids: list[str]) -> str:
    """Seed 002 / DOMAIN: one subscriber per email. Other AMS records that share it were
    excluded as duplicates; say so, since an advisor is usually asked about one of them."""
    run = latest_resync(session, group.id)
    if run is None:
        return ""
    others = [a for (a,) in session.execute(
        select(Exclusion.ams_id).where(Exclusion.run_id == run.id, Exclusion.email_key == key,
                                       Exclusion.reason == "duplicate_email")
    ) if a not in ams_ids]
    if not others or not ams_ids:
        return ""
    return (f" Other AMS records with this email were excluded as duplicates: AMS id "
            f"{', '.join(others)}.")


def _ams_ids(session: Session, subscriber: Subscriber | None, bridge_id: int) -> list[str]:
    if subscriber is None:
        return []
    return list(session.scalars(select(SubscriberLink.ams_id).where(
        SubscriberLink.subscriber_id == subscriber.id, SubscriberLink.bridge_id == bridge_id)))


def _verdict(session: Session, result: Explanation, subscriber: Subscriber | None,
             group: TargetGroup, key: str, named: list[str]) -> str:
    name = f"{result.email} {{}} of {group.name!r} ({result.bridge})"
    if subscriber is not None and _is_member(session, subscriber.id, group.id):
        result.is_member = True
        added = _last_change(session, subscriber.id, group.id, "added")
        since = f", added by run #{added[0]} on {added[1]:%Y-%m-%d %H:%M}" if added else ""
        ids = f", AMS id {', '.join(result.ams_ids)}" if result.ams_ids else ""
        return name.format("is a member") + f"{since}{ids}."
    run = latest_resync(session, group.id)
    if run is None:
        return name.format("is not a member") + ": the group has not been resynced yet."
    asked = [result.asked_ams_id] if subscriber is None and result.asked_ams_id else []
    excluded = _exclusion(session, run.id, key, result.ams_ids + asked)
    if excluded is not None:
        reason, detail, ams_id, raw_email = excluded
        extra = f" ({detail})" if detail else ""
        what, holds = "it", ""
        if ams_id and result.ams_ids and ams_id not in result.ams_ids:
            # the group holds another AMS record with this email (seed 002: one per email)
            what = f"AMS id {ams_id}, which has this email"
            named.append(ams_id)
        elif asked and ams_id in asked:  # an AMS record that never became a subscriber
            name = f"AMS id {ams_id} {{}} of {group.name!r} ({result.bridge})"
            holds = f" Its email in the AMS: {raw_email!r}." if raw_email else ""
        return (name.format("is not a member") + f": the latest resync (run #{run.id}, "
                f"{run.started_at:%Y-%m-%d %H:%M}) excluded {what}: "
                f"{reason_label(reason)}{extra}.{holds}")
    if subscriber is None:
        nothing = "this email or AMS id" if result.asked_ams_id else "this email"
        return (name.format("is not a member") + f": no subscriber has {nothing}, and the "
                f"latest resync (run #{run.id}) did not fetch it from the AMS.")
    removed = _last_change(session, subscriber.id, group.id, "removed")
    if removed is not None:
        return (name.format("is not a member") + f": removed by run #{removed[0]} on "
                f"{removed[1]:%Y-%m-%d %H:%M}: {reason_label(removed[2])}.")
    return (name.format("is not a member") + f": the AMS query did not return it in the latest "
            f"resync (run #{run.id}).")


def _is_member(session: Session, subscriber_id: int, group_id: int) -> bool:
    return session.get(Membership, (group_id, subscriber_id)) is not None


def _last_change(session: Session, subscriber_id: int, group_id: int, change: str):  # type: ignore[no-untyped-def]
    return session.execute(
        select(SyncRun.id, SyncRun.started_at, RunChange.reason)
        .join(SyncRun, SyncRun.id == RunChange.run_id)
        .where(RunChange.subscriber_id == subscriber_id, RunChange.group_id == group_id,
               RunChange.change == change, SyncRun.mode == "live")
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(1)
    ).first()


def _exclusion(session: Session, run_id: int, key: str, ams_ids: list[str]):  # type: ignore[no-untyped-def]
    who = [Exclusion.email_key == key]
    if ams_ids:
        who.append(Exclusion.ams_id.in_(ams_ids))
    return session.execute(
        select(Exclusion.reason, Exclusion.detail, Exclusion.ams_id, Exclusion.email)
        .where(Exclusion.run_id == run_id, or_(*who))
        # the subscriber's own record first, when the run excluded it
        .order_by(Exclusion.ams_id.in_(ams_ids).desc() if ams_ids else Exclusion.id)
        .limit(1)
    ).first()


def find_subscribers(session: Session, text: str) -> list[Subscriber]:
    """Look-up by email (exact, case-insensitive) or AMS id on any bridge; an email as the AMS
    gave it before the sync corrected it finds the subscriber it was corrected to."""
    found = _find_subscribers(session, text)
    corrected = None if found else _corrected_to(session, text, None)
    return [corrected] if corrected is not None else found


def _find_subscribers(session: Session, text: str) -> list[Subscriber]:
    key = text.strip().lower()
    by_link = select(SubscriberLink.subscriber_id).where(SubscriberLink.ams_id == text.strip())
    return list(session.scalars(select(Subscriber).where(
        or_(Subscriber.email_key == key, Subscriber.id.in_(by_link))
    ).order_by(func.lower(Subscriber.email))))
