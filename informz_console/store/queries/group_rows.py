"""The rows behind a count: a group's members, a run's exclusions (of one reason or all), the
contacts an AMS refused. Each is a `RowSet`: an ordered key list (one query over the whole
set, for a background job) and a lookup of the rows for a block of keys (a primary-key read,
cheap enough to run while a table scrolls).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from informz_console.store.models import (
    ContactError,
    Exclusion,
    Membership,
    Subscriber,
    SubscriberLink,
    TargetGroup,
)
from informz_console.store.queries.key_lists import id_array
from informz_console.store.queries.labels import reason_label

Row = tuple[object, ...]
MEMBER_COLUMNS = ("Email", "AMS id", "First name", "Last name", "Status")
EXCLUSION_COLUMNS = ("AMS id", "Email", "Reason", "Detail", "Target group")
CONTACT_ERROR_COLUMNS = ("AMS id", "At (UTC)", "Request", "System error")


@dataclass(frozen=True)
class RowSet:
    title: str  # what the rows are, for a window title: "Invalid email address: 'Everyone'"
    columns: tuple[str, ...]
    keys: Callable[[Session], Sequence[int]]
    rows: Callable[[Session, Sequence[int]], dict[int, Row]]
    file_stem: str  # a file name for an export, without extension


# -- members -------------------------------------------------------------------------------

def member_ids(session: Session, group_id: int) -> Sequence[int]:
    """Subscriber ids of a group's members by email; a compact array (a million is 8 MB)."""
    return id_array(session, select(Membership.subscriber_id)
                    .join(Subscriber, Subscriber.id == Membership.subscriber_id)
                    .where(Membership.group_id == group_id)
                    .order_by(Subscriber.email_key))


def member_rows(session: Session, group_id: int, ids: Sequence[int]) -> dict[int, Row]:
    """Email, the AMS id on the group's bridge, names and status of these subscribers."""
    bridge_id = select(TargetGroup.bridge_id).where(TargetGroup.id == group_id).scalar_subquery()
    found = session.execute(
        select(Subscriber.id, Subscriber.email, SubscriberLink.ams_id, Subscriber.first_name,
               Subscriber.last_name, Subscriber.status)
        .outerjoin(SubscriberLink, and_(SubscriberLink.subscriber_id == Subscriber.id,
                                        SubscriberLink.bridge_id == bridge_id))
        .where(Subscriber.id.in_(list(ids))))
    return {sid: (email, ams_id, first, last, status)
            for sid, email, ams_id, first, last, status in found}


def group_members(group_id: int, group: str, bridge: str) -> RowSet:
    return RowSet(f"Synced members of {group!r} ({bridge})", MEMBER_COLUMNS,
                  lambda s: member_ids(s, group_id),
                  lambda s, ids: member_rows(s, group_id, ids),
                  _stem(f"{bridge} {group} members"))


# -- exclusions ------------------------------------------------------------------------------

def exclusion_ids(session: Session, runs: Sequence[int] | Select,
                  reason: str | None = None) -> Sequence[int]:
    """Exclusions of these runs (all, or of one reason), in the order the runs met them."""
    query = select(Exclusion.id).where(Exclusion.run_id.in_(runs)).order_by(Exclusion.id)
    if reason is not None:
        query = query.where(Exclusion.reason == reason)
    return id_array(session, query)


def exclusion_rows(session: Session, ids: Sequence[int]) -> dict[int, Row]:
    found = session.execute(
        select(Exclusion.id, Exclusion.ams_id, Exclusion.email, Exclusion.reason,
               Exclusion.detail, TargetGroup.name)
        .outerjoin(TargetGroup, TargetGroup.id == Exclusion.group_id)
        .where(Exclusion.id.in_(list(ids))))
    return {xid: (ams_id, email, reason_label(reason), detail, group)
            for xid, ams_id, email, reason, detail, group in found}


def run_exclusions(run_id: int, reason: str | None, group: str, bridge: str) -> RowSet:
    """What one run (a group's latest live resync) excluded."""
    what = reason_label(reason) if reason else "Excluded"
    return RowSet(f"{what}: {group!r} ({bridge}), run #{run_id}", EXCLUSION_COLUMNS,
                  lambda s: exclusion_ids(s, [run_id], reason), exclusion_rows,
                  _stem(f"{bridge} {group} {reason or 'excluded'}"))


def bridge_exclusions(runs: Select, reason: str, scope: str) -> RowSet:
    """What the latest live resync of each group (`runs`, a query of run ids) excluded."""
    return RowSet(f"{reason_label(reason)}: latest resync of each group ({scope})",
                  EXCLUSION_COLUMNS, lambda s: exclusion_ids(s, runs, reason), exclusion_rows,
                  _stem(f"{scope} {reason}"))


# -- contacts an AMS refused ---------------------------------------------------------------

def contact_error_ids(session: Session, bridge_id: int | None,
                      system_error: str) -> Sequence[int]:
    query = (select(ContactError.id)
             .where(ContactError.resolved_at.is_(None), ContactError.system_error == system_error)
             .order_by(ContactError.ams_id, ContactError.id))
    if bridge_id is not None:
        query = query.where(ContactError.bridge_id == bridge_id)
    return id_array(session, query)


def contact_error_rows(session: Session, ids: Sequence[int]) -> dict[int, Row]:
    found = session.execute(
        select(ContactError.id, ContactError.ams_id, ContactError.at, ContactError.request,
               ContactError.system_error).where(ContactError.id.in_(list(ids))))
    return {eid: (ams_id, f"{at:%Y-%m-%d %H:%M}", request, error)
            for eid, ams_id, at, request, error in found}


def contact_errors(bridge_id: int | None, system_error: str, scope: str) -> RowSet:
    return RowSet(f"Contacts the AMS refused ({scope}): {system_error}", CONTACT_ERROR_COLUMNS,
                  lambda s: contact_error_ids(s, bridge_id, system_error), contact_error_rows,
                  _stem(f"{scope} contact errors"))


def _stem(text: str) -> str:
    """A file name from words: letters, digits and dashes."""
    cleaned = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in cleaned.split("-") if part)
