"""Find target groups by what a user types: remote key, name or mirror id."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, TargetGroup


def match_groups(session: Session, ref: str, bridge: str | None = None) -> list[TargetGroup]:
    """Exact remote-key matches first; otherwise every name (case-insensitive) or id match."""
    conditions = [TargetGroup.remote_key == ref, func.lower(TargetGroup.name) == ref.lower()]
    if ref.isdigit():
        conditions.append(TargetGroup.id == int(ref))
    query = select(TargetGroup).where(or_(*conditions)).order_by(TargetGroup.id)
    if bridge is not None:
        query = query.join(Bridge).where(func.lower(Bridge.name) == bridge.lower())
    groups = list(session.scalars(query))
    exact = [g for g in groups if g.remote_key == ref]
    return exact or groups


def one_group(session: Session, ref: str, bridge: str | None = None) -> TargetGroup:
    """The one group `ref` names, or a LookupError with one sentence saying what to fix."""
    groups = match_groups(session, ref, bridge)
    if len(groups) == 1:
        return groups[0]
    if not groups:
        raise LookupError(f"No target group {ref!r} in this mirror; `informz-console groups "
                          "list` shows them.")
    raise LookupError(f"{len(groups)} target groups match {ref!r}; name one by its remote key "
                      "or id.")


def groups_of_bridge(session: Session, bridge_id: int) -> list[TargetGroup]:
    """The groups a bridge can resync: those the AMS still lists, compound groups aside."""
    return list(session.scalars(select(TargetGroup).where(
        TargetGroup.bridge_id == bridge_id, TargetGroup.removed_from_ams_at.is_(None),
        TargetGroup.kind != "compound").order_by(TargetGroup.name)))
