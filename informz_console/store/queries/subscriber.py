"""One subscriber as the look-up shows it: found by email, AMS id or part of either, with its
status, AMS links and target groups. Its history is `history.subscriber_history`, why it is
(not) in a group is `explain.explain`, its writebacks are in `writebacks`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from informz_console.store.models import (
    Bridge,
    Exclusion,
    Membership,
    Subscriber,
    SubscriberLink,
    SyncRun,
    TargetGroup,
    Writeback,
)
from informz_console.store.queries.explain import find_subscribers

SEARCH_LIMIT = 200
PARTIAL_MIN_CHARS = 3  # shorter text matches too much to be a useful list


@dataclass(frozen=True)
class SubscriberHit:
    id: int
    email: str
    name: str
    status: str
    exact: bool = False  # its email or an AMS id is the text (not only part of it)


def _name(s: Subscriber) -> str:
    return " ".join(part for part in (s.first_name, s.last_name) if part)


def _hit(s: Subscriber, exact: bool = False) -> SubscriberHit:
    return SubscriberHit(s.id, s.email, _name(s), s.status, exact)


def search_subscribers(session: Session, text: str,
                       limit: int = SEARCH_LIMIT) -> list[SubscriberHit]:
    """Exact matches (email, AMS id on any bridge) first, then emails and names containing
    the text; at most `limit`."""
    exact = find_subscribers(session, text)
    hits = [_hit(s, exact=True) for s in exact[:limit]]
    key = text.strip().lower()
    if len(key) < PARTIAL_MIN_CHARS or len(hits) >= limit:
        return hits
    pattern = f"%{key}%"
    full_name = func.lower(func.coalesce(Subscriber.first_name, "") + " "
                           + func.coalesce(Subscriber.last_name, ""))
    partial = session.scalars(
        select(Subscriber)
        .where(or_(Subscriber.email_key.like(pattern), full_name.like(pattern)),
               Subscriber.id.not_in([s.id for s in exact]))
        .order_by(Subscriber.email_key).limit(limit - len(hits)))
    return hits + [_hit(s) for s in partial]


@dataclass(frozen=True)
class Link:
    bridge: str
    kind: str
    ams_id: str
    linked_at: datetime


@dataclass(frozen=True)
class GroupRef:
    id: int
    bridge: str
    name: str
    added_run_id: int | None = None  # for a group the subscriber is in

    @property
    def label(self) -> str:
        return f"{self.bridge} / {self.name}"


@dataclass
class SubscriberCard:
    id: int
    email: str
    name: str
    company: str | None
    status: str
    status_reason: str | None
    status_at: datetime | None
    source: str
    created_at: datetime
    updated_at: datetime
    links: list[Link] = field(default_factory=list)
    groups: list[GroupRef] = field(default_factory=list)  # the groups it is in
    choices: list[GroupRef] = field(default_factory=list)  # groups to ask "why (not) in?"


def subscriber_card(session: Session, subscriber_id: int) -> SubscriberCard | None:
    s = session.get(Subscriber, subscriber_id)
    if s is None:
        return None
    card = SubscriberCard(s.id, s.email, _name(s), s.company, s.status, s.status_reason,
                          s.status_at, s.source, s.created_at, s.updated_at)
    card.links = [Link(name, kind, ams_id, at) for name, kind, ams_id, at in session.execute(
        select(Bridge.name, Bridge.kind, SubscriberLink.ams_id, SubscriberLink.linked_at)
        .join(Bridge, Bridge.id == SubscriberLink.bridge_id)
        .where(SubscriberLink.subscriber_id == s.id).order_by(func.lower(Bridge.name)))]
    card.groups = [GroupRef(*row) for row in session.execute(
        _groups().add_columns(Membership.added_run_id)
        .join(Membership, Membership.group_id == TargetGroup.id)
        .where(Membership.subscriber_id == s.id))]
    card.choices = _choices(session, s.id)
    return card


def _groups():  # type: ignore[no-untyped-def]
    return (select(TargetGroup.id, Bridge.name, TargetGroup.name)
            .join(Bridge, Bridge.id == TargetGroup.bridge_id)
            .where(TargetGroup.removed_from_ams_at.is_(None))
            .order_by(func.lower(Bridge.name), func.lower(TargetGroup.name)))


def _choices(session: Session, subscriber_id: int) -> list[GroupRef]:
    """The groups of the bridges it is linked with (those are the ones a client asks about);
    every group when it is linked with none (an uploaded subscriber)."""
    linked = select(SubscriberLink.bridge_id).where(SubscriberLink.subscriber_id == subscriber_id)
    query = _groups().where(TargetGroup.bridge_id.in_(linked))
    found = [GroupRef(*row) for row in session.execute(query)]
    return found or [GroupRef(*row) for row in session.execute(_groups())]


@dataclass(frozen=True)
class Showcase:
    subscriber_id: int
    email: str
    group_id: int | None  # the group worth explaining, when there is one


def showcase_subscriber(session: Session) -> Showcase | None:
    """A subscriber worth showing (the screenshot, a first look): one that is in some groups
    and was excluded from another, preferring one with a writeback; else one with a
    writeback."""
    has_writeback = exists().where(Writeback.subscriber_id == Subscriber.id)
    in_a_group = exists().where(Membership.subscriber_id == Subscriber.id)
    in_that_group = exists().where(Membership.subscriber_id == Subscriber.id,
                                   Membership.group_id == Exclusion.group_id)
    excluded = session.execute(
        select(Subscriber.id, Subscriber.email, Exclusion.group_id)
        .join(Exclusion, Exclusion.email_key == Subscriber.email_key)
        .join(SyncRun, SyncRun.id == Exclusion.run_id)
        .where(SyncRun.mode == "live", Exclusion.group_id.is_not(None), in_a_group,
               ~in_that_group)
        .order_by(has_writeback.desc(), Exclusion.id).limit(1)).first()
    if excluded is not None:
        return Showcase(*excluded)
    written = session.execute(
        select(Subscriber.id, Subscriber.email)
        .join(Writeback, Writeback.subscriber_id == Subscriber.id)
        .order_by(Writeback.id).limit(1)).first()
    return Showcase(written[0], written[1], None) if written is not None else None


@dataclass(frozen=True)
class ExcludedRecord:
    """An AMS record the latest resync of a group excluded (it may never have become a
    subscriber: a status not accepted, an invalid email...)."""

    group: GroupRef
    run_id: int
    ams_id: str | None
    email: str | None
    reason: str
    detail: str | None


def excluded_records(session: Session, text: str) -> list[ExcludedRecord]:
    """The exclusions of each group's latest live resync whose email or AMS id is `text`."""
    key = text.strip().lower()
    if not key:
        return []
    latest = (select(SyncRun.group_id, func.max(SyncRun.id).label("run_id"))
              .where(SyncRun.kind == "resync_group", SyncRun.mode == "live",
                     SyncRun.status == "succeeded")
              .group_by(SyncRun.group_id).subquery())
    found = session.execute(
        select(TargetGroup.id, Bridge.name, TargetGroup.name, Exclusion.run_id, Exclusion.ams_id,
               Exclusion.email, Exclusion.reason, Exclusion.detail)
        .join(latest, latest.c.run_id == Exclusion.run_id)
        .join(TargetGroup, TargetGroup.id == latest.c.group_id)
        .join(Bridge, Bridge.id == TargetGroup.bridge_id)
        .where(or_(Exclusion.email_key == key, Exclusion.ams_id == text.strip()))
        .order_by(func.lower(Bridge.name), func.lower(TargetGroup.name)))
    return [ExcludedRecord(GroupRef(gid, bridge, name), *rest)
            for gid, bridge, name, *rest in found]
