"""The sync's front door: what the CLI, the GUI and the scheduler call.

`SyncService.run(request)` resolves the bridge and group, builds the connector and runs the
pipeline; it returns a `SyncResult` for every outcome a user can cause (unknown group, wrong
password, AMS down, cancel) instead of raising, so callers only render results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session

from informz_console.connectors.base import ChangeFeedConnector, Connector
from informz_console.connectors.errors import ConnectorError, NotAllowedError
from informz_console.domain.clock import Clock, SystemClock
from informz_console.domain.record_digest import digest_salt
from informz_console.domain.records import ChangeKind, RemoteChange, RemoteRecord
from informz_console.store.models import Bridge, SyncRun
from informz_console.sync.cancel import CancelToken, ProgressCallback, no_progress
from informz_console.sync.connector_factory import (
    EMAIL_CHANGE_MOVES_KINDS,
    ConnectorRecipe,
    connector_recipe,
    policy_for,
)
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.fetch_process import FETCH_PROCESS_FROM, fetch_in_process
from informz_console.sync.informz_codes import write_informz_codes
from informz_console.sync.interrupted import mark_interrupted
from informz_console.sync.last_synced import PAYS_ON, LastSynced
from informz_console.sync.lookup import find_bridge, find_group
from informz_console.sync.member_rows import member_stream, record_pages
from informz_console.sync.pipeline import execute
from informz_console.sync.refresh import refresh_list
from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult
from informz_console.sync.retention import prune_runs
from informz_console.sync.run_plan import RunPlan, SyncError
from informz_console.sync.runs import RunCounts, RunRecorder


@dataclass
class SyncService:
    engine: Engine
    credentials: CredentialStore
    clock: Clock = field(default_factory=SystemClock)
    is_staff: bool = False
    # (bridge, credentials) -> Connector; default: built from the bridge's settings and secret
    # (then a group of `fetch_process_from` records or more is read by a process of its own)
    connector_for: Callable[[Bridge, CredentialStore], Connector] | None = None
    fetch_process_from: int = FETCH_PROCESS_FROM
    # A group's resync passes over the records that are as last synced (sync/last_synced).
    # Off: every record is staged and compared whole, as a first resync does.
    pass_over_unchanged: bool = True
    _pruned_on: date | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        mark_interrupted(self.engine, self.clock)  # runs a killed console left `running`

    def connector(self, bridge: Bridge) -> Connector:
        """The bridge's connector, as this service builds it for a sync."""
        return self._connector(bridge)[0]

    def _connector(self, bridge: Bridge) -> tuple[Connector, ConnectorRecipe | None]:
        if self.connector_for is not None:
            return self.connector_for(bridge, self.credentials), None
        recipe = connector_recipe(bridge, self.credentials)
        return recipe.build(self.clock), recipe

    def run(self, request: SyncRequest, progress: ProgressCallback = no_progress,
            cancel: CancelToken | None = None) -> SyncResult:
        cancel = cancel or CancelToken()
        try:
            if request.kind is SyncKind.REFRESH_LIST:
                return self._refresh(request)
            plan, connector = self._plan(request)
        except (SyncError, ConnectorError) as err:
            return self._refused(request, err)
        try:
            result = execute(self.engine, self.clock, plan, cancel, progress)
        finally:
            connector.close()
        self._prune_daily()
        return result

    def _prune_daily(self) -> None:
        """Keep the sync log within the retention setting: once a day, after a run."""
        today = self.clock.now().date()
        if self._pruned_on != today:
            self._pruned_on = today
            prune_runs(self.engine, self.clock)

    # -- planning -------------------------------------------------------------------------

    def _plan(self, request: SyncRequest) -> tuple[RunPlan, Connector]:
        with Session(self.engine) as session:
            bridge = find_bridge(session, request.bridge)
            group = None
            if request.kind is SyncKind.RESYNC_GROUP:
                if not request.group:
                    raise SyncError("Name the target group to resync (--group).")
                group = find_group(session, bridge, request.group)
            if request.kind is SyncKind.FULL:
                self._check_full_allowed(request)
            connector, recipe = self._connector(bridge)
            plan = RunPlan(
                bridge_id=bridge.id, bridge_kind=bridge.kind,
                group_id=group.id if group else None, kind=request.kind,
                trigger=request.trigger.value, dry_run=request.dry_run,
                policy=policy_for(bridge), fetch=lambda c: (None, iter(())),
                email_change_moves=bridge.kind in EMAIL_CHANGE_MOVES_KINDS,
            )
            if group is not None:
                key = group.remote_key
                plan.notes.append(f"Resync of target group {group.name!r} ({key}).")
                if hasattr(connector, "write_informz_code"):
                    bridge_id = bridge.id
                    plan.after_commit = lambda conn, recorder: write_informz_codes(
                        conn, connector, bridge_id, recorder, self.clock.now())
                elif (self.pass_over_unchanged and not plan.email_change_moves
                      and self.engine.dialect.name in PAYS_ON):
                    # (not iDSS: it writes each contact's Informz code after the run)
                    plan.last_synced = LastSynced(digest_salt(plan.policy))
                last, from_size = plan.last_synced, self.fetch_process_from
                plan.fetch = lambda cancel: _members(connector, key, cancel, recipe, from_size,
                                                     last)
            else:
                self._plan_change_feed(plan, bridge, connector, request.kind)
        return plan, connector

    def _check_full_allowed(self, request: SyncRequest) -> None:
        if not self.is_staff:
            raise NotAllowedError("A full refresh can only be run by a staff member "
                                  "(seed 000); ask your Advisor, or run a partial sync.")
        if request.dry_run:
            raise SyncError("A full refresh rebuilds Informz_Changes in iMIS and cannot be "
                            "previewed; preview a partial sync instead.")

    def _plan_change_feed(self, plan: RunPlan, bridge: Bridge, connector: Connector,
                          kind: SyncKind) -> None:
        if not hasattr(connector, "changes_since"):
            raise SyncError(f"Bridge {bridge.name!r} ({bridge.kind}) has no change feed; "
                            "resync a target group instead.")
        feed: ChangeFeedConnector = connector  # type: ignore[assignment]
        since = bridge.change_high_water
        if kind is SyncKind.FULL:
            rebuilt = feed.rebuild_changes()
            plan.notes.append(f"Full refresh: Informz_Changes rebuilt with {rebuilt:,} rows.")
            since = 0
        else:
            plan.notes.append(f"Partial sync: changes after #{since}.")
        high_water = {"seqn": since}

        def fetch(cancel: CancelToken):  # type: ignore[no-untyped-def]
            stream = feed.changes_since(since, cancel=lambda: cancel.cancelled)

            def pages():  # type: ignore[no-untyped-def]
                for page in stream.pages:
                    if page:
                        high_water["seqn"] = max(high_water["seqn"], page[-1].seqn)
                    yield [_as_record(change) for change in page]

            return stream.total, pages()

        def store_high_water(conn: Connection) -> None:
            conn.execute(update(Bridge).where(Bridge.id == bridge.id)
                         .values(change_high_water=high_water["seqn"]))

        plan.fetch = fetch
        plan.after_merge = store_high_water

    # -- list refresh ---------------------------------------------------------------------

    def _refresh(self, request: SyncRequest) -> SyncResult:
        recorder = RunRecorder(self.clock)
        with Session(self.engine) as session:
            bridge = find_bridge(session, request.bridge)
            recorder.start(session.connection(), bridge_id=bridge.id, group_id=None,
                           trigger=request.trigger.value, kind=SyncKind.REFRESH_LIST.value,
                           mode="live")
            session.commit()
            try:
                connector, _ = self._connector(bridge)
                try:
                    summary = refresh_list(session, bridge, connector, self.clock.now())
                finally:
                    connector.close()
            except ConnectorError as err:
                session.rollback()
                recorder.log(str(err), "error")
                recorder.finish(session.connection(), "failed", RunCounts(), str(err))
                session.commit()
                return SyncResult(recorder.run_id, "failed", RunCounts(), error=str(err))
            sentence = summary.sentence(bridge.name)
            recorder.log(sentence)
            recorder.finish(session.connection(), "succeeded", RunCounts())
            session.commit()
        return SyncResult(recorder.run_id, "succeeded", RunCounts(), summary=sentence)

    def _refused(self, request: SyncRequest, err: Exception) -> SyncResult:
        """A run that could not start is still in the sync log when its bridge exists."""
        with Session(self.engine) as session:
            try:
                bridge = find_bridge(session, request.bridge)
            except SyncError:
                return SyncResult(0, "failed", RunCounts(), error=str(err))
            now = self.clock.now()
            run = SyncRun(bridge_id=bridge.id, trigger=request.trigger.value,
                          kind=request.kind.value, status="failed",
                          mode="dry_run" if request.dry_run else "live",
                          started_at=now, finished_at=now, error=str(err))
            session.add(run)
            session.commit()
            return SyncResult(run.id, "failed", RunCounts(), error=str(err))


def _as_record(change: RemoteChange) -> RemoteRecord:
    """A deleted person leaves every group as "deactivated or deleted in the AMS"."""
    if change.kind is ChangeKind.DELETED:
        return change.record._replace(deactivated=True)
    return change.record


def _members(connector: Connector, key: str, cancel: CancelToken,  # type: ignore[no-untyped-def]
             recipe: ConnectorRecipe | None, from_size: int, last: LastSynced | None):
    """The group's pages; a large one (as the AMS counts it) from a process of its own, which
    starts the read again there (sync/fetch_process) and splits the pages by `last`."""
    stream = member_stream(connector, key, cancel=lambda: cancel.cancelled)
    if recipe is None or stream.total is None or stream.total < from_size:
        return stream.total, record_pages(stream, last)
    close = getattr(stream.pages, "close", None)
    if close is not None:
        close()
    return stream.total, fetch_in_process(recipe, key, lambda: cancel.cancelled, last)
