"""Publishing a mailing: record it, mark its groups used, resync every group it reaches.

Seeds 000, 001 and 003: each time a mailing is published the platform syncs its target groups
with the AMS. The mailing is recorded (`published_at` = now) with the groups it names; each
named group (a compound group too) gets `last_used_in_mailing_at` = now, which the nightly
rules read; then every group the mailing reaches, compound groups expanded to their members,
is resynced once with trigger MAILING.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from informz_console.domain.clock import Clock
from informz_console.domain.triggers import expand_mailing_groups
from informz_console.store.models import Bridge, Mailing, MailingGroup, TargetGroup
from informz_console.store.queries.groups import match_groups
from informz_console.sync.due import compound_map
from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult, Trigger
from informz_console.sync.run_plan import SyncError
from informz_console.sync.service import SyncService


@dataclass
class GroupResync:
    group_id: int
    group: str
    bridge: str
    result: SyncResult


@dataclass
class MailingResult:
    mailing_id: int
    name: str
    groups: list[str]  # the groups the mailing names
    resyncs: list[GroupResync] = field(default_factory=list)  # each group it reaches, once

    @property
    def ok(self) -> bool:
        return all(r.result.ok for r in self.resyncs)


def _resolve(session: Session, ref: str, bridge: str | None) -> TargetGroup:
    groups = match_groups(session, ref, bridge)
    where = f" on bridge {bridge!r}" if bridge else ""
    if not groups:
        raise SyncError(
            f"There is no target group {ref!r}{where}; `informz-console groups "
            "list` shows the groups in this mirror."
        )
    if len(groups) > 1:
        raise SyncError(
            f"{len(groups)} target groups match {ref!r}{where}; name one by its "
            "remote key or id" + ("" if bridge else ", or add --bridge") + "."
        )
    return groups[0]


def publish_mailing(
    service: SyncService,
    name: str,
    group_refs: Iterable[str],
    clock: Clock,
    *,
    bridge: str | None = None,
) -> MailingResult:
    """Record the mailing and resync what it reaches; raises SyncError (one sentence) for an
    unknown or ambiguous group, before anything is recorded."""
    refs = list(group_refs)
    if not refs:
        raise SyncError("A mailing needs at least one target group (--groups).")
    now = clock.now()
    with Session(service.engine) as session:
        named: list[TargetGroup] = []
        for ref in refs:
            group = _resolve(session, ref, bridge)
            if group not in named:
                named.append(group)
        mailing = Mailing(name=name, published_at=now)
        session.add(mailing)
        session.flush()
        for group in named:
            session.add(MailingGroup(mailing_id=mailing.id, group_id=group.id))
            group.last_used_in_mailing_at = now
        session.commit()
        mailing_id = mailing.id
        reached_ids = expand_mailing_groups([g.id for g in named], compound_map(session))
        reached = []
        for group_id in reached_ids:
            group = session.get(TargetGroup, group_id)
            owner = session.get(Bridge, group.bridge_id) if group is not None else None
            if group is not None and owner is not None:
                reached.append((group.id, group.name, group.remote_key, owner.name))
        named_names = [g.name for g in named]
    result = MailingResult(mailing_id, name, named_names)
    for group_id, group_name, remote_key, bridge_name in reached:
        run = service.run(
            SyncRequest(
                bridge_name, SyncKind.RESYNC_GROUP, group=remote_key, trigger=Trigger.MAILING
            )
        )
        result.resyncs.append(GroupResync(group_id, group_name, bridge_name, run))
    return result
