"""The contacts of an iDSS distribution list, as the mirror knows them (seed 002).

A list's contacts are its members (linked to this bridge) and the contacts its current sync
excluded (the latest live resync of the list and every change-feed or contact run after it,
the newest word per contact). For each: its failed sync, if any (the call sent and the system
error received, `contact_error`), and whether it is a Duplicate: "the email associated with the
record is also associated with another contact record in iDSS", which the sync records as a
`duplicate_email` exclusion of the other contact in any list of the bridge.

`contact_index` produces the ordered id list of a list (failed first, then Duplicates, then by
contact id) for a lazy table; `contact_rows` reads one block of rows by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from informz_console.store.models import (
    Bridge,
    ContactError,
    Exclusion,
    Membership,
    RunChange,
    Subscriber,
    SubscriberLink,
    SyncRun,
    TargetGroup,
)

DUPLICATE = "duplicate_email"
SHOW = ("all", "failed", "duplicate", "excluded")  # what contact_index can narrow to


@dataclass(frozen=True)
class IdssList:
    group_id: int
    bridge: str
    name: str
    folder: str
    members: int
    failed: int  # members whose latest sync attempt failed


class ContactRow(NamedTuple):
    """One contact of a list (a tuple, so a lazy table can hold it as its row)."""

    contact_id: str
    name: str
    email: str | None
    member: bool
    reason: str | None  # the exclusion reason when not a member
    detail: str | None  # the exclusion's detail, e.g. "same email as AMS id 500012"
    informz_code: str | None  # our subscriber id, for a member
    duplicate: bool
    request: str | None  # the failed call, e.g. 'PATCH /api/v1/contacts/500021 {...}'
    system_error: str | None
    failed_at: datetime | None

    @property
    def failed(self) -> bool:
        return self.system_error is not None


@dataclass(frozen=True)
class ContactIndex:
    ids: list[str]  # in the order shown
    total: int  # contacts of the list, whatever `show` narrowed to
    failed: int
    duplicates: int
    excluded: int


# -- the lists -------------------------------------------------------------------------------

def idss_lists(session: Session) -> list[IdssList]:
    """Every distribution list of every iDSS bridge, by bridge and name."""
    groups = session.execute(
        select(TargetGroup, Bridge.name).join(Bridge, Bridge.id == TargetGroup.bridge_id)
        .where(Bridge.kind == "idss", TargetGroup.removed_from_ams_at.is_(None))
        .order_by(Bridge.name, TargetGroup.name)).all()
    members = dict(session.execute(
        select(Membership.group_id, func.count())
        .where(Membership.group_id.in_([g.id for g, _ in groups]))
        .group_by(Membership.group_id)).all())
    return [IdssList(g.id, bridge, g.name, g.folder or "", members.get(g.id, 0),
                     _failed_members(session, g)) for g, bridge in groups]


def _failed_members(session: Session, group: TargetGroup) -> int:
    return session.scalar(
        select(func.count(func.distinct(ContactError.ams_id)))
        .join(SubscriberLink, (SubscriberLink.bridge_id == ContactError.bridge_id)
              & (SubscriberLink.ams_id == ContactError.ams_id))
        .join(Membership, (Membership.subscriber_id == SubscriberLink.subscriber_id)
              & (Membership.group_id == group.id))
        .where(ContactError.bridge_id == group.bridge_id, ContactError.resolved_at.is_(None))
    ) or 0


# -- the ordered ids of one list -------------------------------------------------------------

def contact_index(session: Session, group_id: int, show: str = "all") -> ContactIndex:
    """The list's contact ids, failed first, then Duplicates (by email), then by id; `show`
    narrows them
    to "failed", "duplicate" or "excluded" contacts."""
    if show not in SHOW:
        raise ValueError(f"Show {show!r} is not one of {', '.join(SHOW)}.")
    group = _group(session, group_id)
    keys = dict(session.execute(
        select(SubscriberLink.ams_id, Subscriber.email_key)
        .join(Membership, Membership.subscriber_id == SubscriberLink.subscriber_id)
        .join(Subscriber, Subscriber.id == SubscriberLink.subscriber_id)
        .where(Membership.group_id == group_id, SubscriberLink.bridge_id == group.bridge_id))
        .all())
    excluded = {ams_id: row.email_key for ams_id, row in
                _current_exclusions(session, group_id).items() if ams_id not in keys}
    keys.update(excluded)
    failed = _failed_ids(session, group.bridge_id, keys)
    dup_keys = _duplicate_keys(session, group.bridge_id)
    duplicates = {ams_id for ams_id, key in keys.items() if key is not None and key in dup_keys}
    wanted = {"all": keys.keys(), "failed": failed, "duplicate": duplicates,
              "excluded": excluded.keys()}[show]
    # Duplicates sorted by email, so the contacts sharing one are next to each other.
    ids = sorted(wanted, key=lambda a: (a not in failed, a not in duplicates,
                                        keys[a] if a in duplicates else "", _id_order(a)))
    return ContactIndex(ids, len(keys), len(failed), len(duplicates), len(excluded))


def _id_order(ams_id: str) -> tuple[int, int, str]:
    return (0, int(ams_id), "") if ams_id.isdigit() else (1, 0, ams_id)


def _group(session: Session, group_id: int) -> TargetGroup:
    group = session.get(TargetGroup, group_id)
    if group is None:
        raise LookupError(f"Distribution list {group_id} is no longer in this mirror; "
                          "reload the iDSS contacts tab.")
    return group


# -- one block of rows -----------------------------------------------------------------------

def contact_rows(session: Session, group_id: int, ids: Sequence[str]) -> dict[str, ContactRow]:
    """The rows of `ids` (contacts of the list; an id that is not one is left out)."""
    group = _group(session, group_id)
    linked = {row.ams_id: row for row in session.execute(
        select(SubscriberLink.ams_id, Subscriber.id, Subscriber.first_name, Subscriber.last_name,
               Subscriber.email, Subscriber.email_key, Membership.group_id.label("in_list"))
        .join(Subscriber, Subscriber.id == SubscriberLink.subscriber_id)
        .outerjoin(Membership, (Membership.subscriber_id == Subscriber.id)
                   & (Membership.group_id == group_id))
        .where(SubscriberLink.bridge_id == group.bridge_id, SubscriberLink.ams_id.in_(ids)))}
    excluded = _current_exclusions(session, group_id, ids)
    errors = _latest_errors(session, group.bridge_id, ids)
    keys = {row.email_key for row in linked.values()} | {e.email_key for e in excluded.values()}
    dup_keys = _duplicate_keys(session, group.bridge_id, keys - {None})
    found: dict[str, ContactRow] = {}
    for ams_id in ids:
        link, exclusion, error = linked.get(ams_id), excluded.get(ams_id), errors.get(ams_id)
        member = link is not None and link.in_list is not None
        if not member and exclusion is None:
            continue
        name = " ".join(p for p in (link.first_name, link.last_name) if p) if link else ""
        email = link.email if member else exclusion.email  # type: ignore[union-attr]
        key = link.email_key if member else exclusion.email_key  # type: ignore[union-attr]
        found[ams_id] = ContactRow(
            ams_id, name, email, member,
            None if member else exclusion.reason,  # type: ignore[union-attr]
            None if member else exclusion.detail,  # type: ignore[union-attr]
            str(link.id) if member else None,  # type: ignore[union-attr]
            key is not None and key in dup_keys,
            error.request if error else None, error.system_error if error else None,
            error.at if error else None)
    return found


# -- the parts -------------------------------------------------------------------------------

def _current_runs(session: Session, *, group_id: int | None = None,
                  bridge_id: int | None = None) -> list[int]:
    """The live runs that make up the current state of a list (or of every list of a bridge):
    its latest resync and every successful run of it after that."""
    resync = aliased(SyncRun)
    latest = (select(func.max(resync.id)).where(
        resync.group_id == SyncRun.group_id, resync.kind == "resync_group",
        resync.mode == "live", resync.status == "succeeded")
        .correlate(SyncRun).scalar_subquery())
    query = select(SyncRun.id).where(SyncRun.mode == "live", SyncRun.status == "succeeded",
                                     SyncRun.id >= func.coalesce(latest, 0))
    if group_id is not None:
        query = query.where(SyncRun.group_id == group_id)
    if bridge_id is not None:
        query = query.join(TargetGroup, TargetGroup.id == SyncRun.group_id).where(
            TargetGroup.bridge_id == bridge_id)
    return list(session.scalars(query))


def _current_exclusions(session: Session, group_id: int,
                        ids: Iterable[str] | None = None) -> dict[str, Exclusion]:
    """The newest current exclusion per contact of the list, unless a later run removed it."""
    runs = _current_runs(session, group_id=group_id)
    query = (select(Exclusion).where(Exclusion.group_id == group_id, Exclusion.run_id.in_(runs),
                                     Exclusion.ams_id.is_not(None)).order_by(Exclusion.id))
    removed_query = (select(RunChange.ams_id, func.max(RunChange.run_id))
                     .where(RunChange.group_id == group_id, RunChange.run_id.in_(runs),
                            RunChange.change == "removed").group_by(RunChange.ams_id))
    if ids is not None:
        query = query.where(Exclusion.ams_id.in_(list(ids)))
        removed_query = removed_query.where(RunChange.ams_id.in_(list(ids)))
    newest = {e.ams_id: e for e in session.scalars(query)}
    removed = dict(session.execute(removed_query).all())
    return {ams_id: e for ams_id, e in newest.items()  # type: ignore[misc]
            if removed.get(ams_id, 0) <= e.run_id}


def _failed_ids(session: Session, bridge_id: int, among: Iterable[str]) -> set[str]:
    unresolved = set(session.scalars(select(ContactError.ams_id).distinct().where(
        ContactError.bridge_id == bridge_id, ContactError.resolved_at.is_(None))))
    return unresolved.intersection(among)


def _latest_errors(session: Session, bridge_id: int,
                   ids: Sequence[str]) -> dict[str, ContactError]:
    query = (select(ContactError).where(
        ContactError.bridge_id == bridge_id, ContactError.resolved_at.is_(None),
        ContactError.ams_id.in_(ids)).order_by(ContactError.at, ContactError.id))
    return {error.ams_id: error for error in session.scalars(query)}


def _duplicate_keys(session: Session, bridge_id: int,
                    among: set[str] | None = None) -> set[str]:
    """Emails (lower-cased) another contact of the bridge was excluded for having too."""
    query = select(Exclusion.email_key).distinct().where(
        Exclusion.reason == DUPLICATE, Exclusion.email_key.is_not(None),
        Exclusion.run_id.in_(_current_runs(session, bridge_id=bridge_id)))
    if among is not None:
        if not among:
            return set()
        query = query.where(Exclusion.email_key.in_(among))
    return set(session.scalars(query))  # type: ignore[arg-type]
