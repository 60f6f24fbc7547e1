"""Find the bridge and group a request names, with one clear sentence when there is none."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, TargetGroup
from informz_console.store.queries.groups import match_groups
from informz_console.sync.run_plan import SyncError


def find_bridge(session: Session, name: str) -> Bridge:
    bridge = session.scalar(select(Bridge).where(func.lower(Bridge.name) == name.lower()))
    if bridge is None:
        raise SyncError(f"There is no bridge named {name!r}; `informz-console bridge list` "
                        "shows the bridges in this mirror.")
    return bridge


def find_group(session: Session, bridge: Bridge, key: str) -> TargetGroup:
    groups = match_groups(session, key, bridge.name)
    if len(groups) == 1:
        return groups[0]
    if not groups:
        raise SyncError(f"Bridge {bridge.name!r} has no target group {key!r}; run "
                        f"`informz-console groups refresh {bridge.name}` to fetch its list.")
    raise SyncError(f"{len(groups)} target groups of {bridge.name!r} match {key!r}; "
                    "name one by its remote key or id.")
