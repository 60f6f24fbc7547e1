"""Follow an AMS change feed (iDSS "real time"): read the changes above the bridge's stored
position, apply them list by list, then move the position on.

The position (`bridge.change_high_water`) moves only after every list of the batch applied,
so a failure or a cancel means the same changes are read again next time (applying a change
twice is harmless: the merge is idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge, Membership, SubscriberLink, TargetGroup
from informz_console.sync.cancel import CancelToken, no_progress
from informz_console.sync.change_feed import by_list
from informz_console.sync.connector_factory import EMAIL_CHANGE_MOVES_KINDS, policy_for
from informz_console.sync.informz_codes import write_informz_codes
from informz_console.sync.lookup import find_bridge
from informz_console.sync.pipeline import execute
from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult, Trigger
from informz_console.sync.run_plan import RunPlan, SyncError
from informz_console.sync.runs import RunCounts
from informz_console.sync.service import SyncService


@dataclass
class FollowResult:
    changes: int = 0
    position: int = 0
    results: list[SyncResult] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(r.ok for r in self.results)


def follow_once(service: SyncService, bridge_name: str,
                cancel: CancelToken | None = None) -> FollowResult:
    """One poll of the feed: every change above the stored position, applied."""
    cancel = cancel or CancelToken()
    with Session(service.engine) as session:
        bridge = find_bridge(session, bridge_name)
        since = bridge.change_high_water
    connector = service.connector(bridge)
    try:
        if not hasattr(connector, "changes"):
            raise SyncError(f"Bridge {bridge_name!r} ({bridge.kind}) has no change feed to "
                            "follow.")
        pages, next_since = connector.changes(since, cancel=lambda: cancel.cancelled)
        changes = [change for page in pages for change in page]
        outcome = FollowResult(len(changes), since)
        if cancel.cancelled:
            return outcome
        if _unknown_lists(service, bridge, changes):
            service.run(SyncRequest(bridge_name, SyncKind.REFRESH_LIST,
                                    trigger=Trigger.CHANGE_FEED))
        for list_id, entry in by_list(changes).items():
            outcome.results.append(_apply(service, bridge, connector, list_id, entry, cancel))
        if outcome.ok and not cancel.cancelled:
            _store_position(service, bridge.id, next_since)
            outcome.position = next_since
        return outcome
    finally:
        connector.close()


def _unknown_lists(service: SyncService, bridge: Bridge, changes: list) -> bool:
    named = {str(list_id) for change in changes for list_id in change.list_ids}
    with Session(service.engine) as session:
        known = {g.remote_key for g in session.query(TargetGroup).filter_by(bridge_id=bridge.id)}
    return bool(named - known)


def _apply(service: SyncService, bridge: Bridge, connector, list_id: str, entry,  # type: ignore[no-untyped-def]
           cancel: CancelToken, trigger: Trigger = Trigger.CHANGE_FEED) -> SyncResult:
    with Session(service.engine) as session:
        group = session.query(TargetGroup).filter_by(bridge_id=bridge.id,
                                                     remote_key=list_id).one_or_none()
    if group is None:  # the AMS names a list it does not list: nothing to apply it to
        return SyncResult(0, "succeeded", RunCounts(),
                          summary=f"list {list_id} is unknown; skipped")
    records = list(entry.records.values())
    plan = RunPlan(
        bridge_id=bridge.id, bridge_kind=bridge.kind, group_id=group.id,
        kind=SyncKind.CHANGES, trigger=trigger.value, dry_run=False,
        policy=policy_for(bridge), fetch=lambda c: (len(records), iter([records])),
        email_change_moves=bridge.kind in EMAIL_CHANGE_MOVES_KINDS, scope="records",
        leaving=set(entry.leaving),
        notes=[f"{len(records):,} changed contacts of list {group.name!r} from the change feed."],
    )
    if hasattr(connector, "write_informz_code"):
        plan.after_commit = lambda conn, recorder: write_informz_codes(
            conn, connector, bridge.id, recorder, service.clock.now())
    return execute(service.engine, service.clock, plan, cancel, no_progress)


def _store_position(service: SyncService, bridge_id: int, position: int) -> None:
    with service.engine.begin() as conn:
        conn.execute(update(Bridge).where(Bridge.id == bridge_id)
                     .values(change_high_water=position))


def resync_contact(service: SyncService, bridge_name: str, contact_id: str) -> FollowResult:
    """Seed 002's fix for a contact in red, "uncheck the distribution list ... recheck it",
    as one call: the contact as iDSS holds it now is judged again in each of its lists, and
    leaves the lists of this bridge it is no longer on."""
    with Session(service.engine) as session:
        bridge = find_bridge(session, bridge_name)
        on_lists = {g.remote_key for g in session.query(TargetGroup).join(
            Membership, Membership.group_id == TargetGroup.id).join(
            SubscriberLink, (SubscriberLink.subscriber_id == Membership.subscriber_id)
            & (SubscriberLink.bridge_id == bridge.id)).filter(
            TargetGroup.bridge_id == bridge.id, SubscriberLink.ams_id == str(contact_id))}
    connector = service.connector(bridge)
    try:
        if not hasattr(connector, "contact"):
            raise SyncError(f"Bridge {bridge_name!r} ({bridge.kind}) cannot resync one contact; "
                            "resync its target groups instead.")
        now = connector.contact(contact_id)
        left = [_Left(now.contact, list_id) for list_id in sorted(on_lists - set(now.list_ids))]
        outcome = FollowResult(1, bridge.change_high_water)
        for list_id, entry in by_list([now, *left]).items():
            outcome.results.append(_apply(service, bridge, connector, list_id, entry,
                                          CancelToken(), Trigger.CONTACT_RESYNC))
        return outcome
    finally:
        connector.close()


@dataclass(frozen=True)
class _Left:
    """A list the contact is no longer on, in the shape of a feed change."""

    contact: object
    list_id: str
    kind: str = "list_removed"

    @property
    def list_ids(self) -> tuple[str, ...]:
        return (self.list_id,)
