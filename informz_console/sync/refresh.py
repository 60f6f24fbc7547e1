"""Refresh target group list: the AMS's groups and personalization fields into the mirror.

Never changes counts or members (seed 003: "this button does not refresh the counts").
A group the AMS no longer lists is kept (its history matters) and marked removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from informz_console.connectors.base import Connector
from informz_console.domain.records import RemoteGroup
from informz_console.store.models import Bridge, TargetGroup


@dataclass
class RefreshSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    fields: int = 0

    def sentence(self, bridge: str) -> str:
        return (f"{bridge}: {self.added} new target groups, {self.updated} updated, "
                f"{self.removed} no longer listed; {self.fields} personalization fields.")


def _apply_group(group: TargetGroup, remote: RemoteGroup) -> bool:
    values = {"name": remote.name, "folder": remote.folder, "kind": remote.kind.value,
              "created_at": remote.created_at, "modified_at": remote.modified_at,
              "detail": dict(remote.detail), "removed_from_ams_at": None}
    changed = any(getattr(group, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(group, key, value)
    return changed


def refresh_list(session: Session, bridge: Bridge, connector: Connector,
                 now: datetime) -> RefreshSummary:
    remote_groups = connector.list_groups()
    fields = connector.personalization_fields()
    existing = {g.remote_key: g for g in session.scalars(
        select(TargetGroup).where(TargetGroup.bridge_id == bridge.id))}
    summary = RefreshSummary(fields=len(fields))
    for remote in remote_groups:
        group = existing.pop(remote.remote_key, None)
        if group is None:
            group = TargetGroup(bridge_id=bridge.id, remote_key=remote.remote_key)
            session.add(group)
            _apply_group(group, remote)
            summary.added += 1
        elif _apply_group(group, remote):
            summary.updated += 1
    for gone in existing.values():
        if gone.removed_from_ams_at is None and gone.kind != "compound":
            gone.removed_from_ams_at = now
            summary.removed += 1
    bridge.personalization_fields = fields
    bridge.last_list_refresh_at = now
    return summary
