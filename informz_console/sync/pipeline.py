"""One sync run, end to end, on one mirror connection.

1. The run row is committed as `running`, unless the bridge is already syncing (on PostgreSQL
   the run's connection holds the bridge's lock until the run ends: sync/locks.py).
2. Fetch: the connector's pages are judged (domain/eligibility) and loaded into the staging
   table. Nothing in the mirror is locked or touched; cancel is checked between pages.
3. Merge: one transaction (one merge at a time per mirror) resolves the stage against the
   mirror and applies it set-based, with the run's counts, exclusions, row changes and log
   lines. A dry run rolls it all back and keeps only the run row, its log and a capped
   preview of the changes.
4. Any error or cancel before the commit rolls back: the mirror is exactly as before, and the
   run is recorded as failed or cancelled with one clear sentence.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.exc import DBAPIError

from informz_console.connectors.errors import ConnectorError
from informz_console.domain.clock import Clock
from informz_console.domain.eligibility import judge
from informz_console.domain.emails import EmailChecker, EmailVerdict
from informz_console.domain.record_digest import Split, whole
from informz_console.domain.records import RemoteRecord
from informz_console.store.checkpoint import checkpoint_after
from informz_console.store.models import Membership, SyncRun, TargetGroup
from informz_console.sync import locks
from informz_console.sync.cancel import CancelToken, Progress, ProgressCallback, SyncCancelled
from informz_console.sync.collector import young_collections_only
from informz_console.sync.interrupted import interrupt_runs_of
from informz_console.sync.last_synced import fill_unchanged
from informz_console.sync.merge_steps import merge_steps
from informz_console.sync.preview import capture_preview, restore_preview
from informz_console.sync.requests import SyncResult
from informz_console.sync.run_plan import RunPlan, SyncError
from informz_console.sync.runs import RunCounts, RunRecorder
from informz_console.sync.stage import (
    COMMIT_EVERY,
    create_stage,
    discard_stage,
    load,
    load_same,
    mark_leaving,
    stage_rows,
)
from informz_console.sync.verdict_cache import checker_sources

# A run that fetched this many records leaves its commit's checkpoint to a thread of its own
# (store/checkpoint.py); it also analyses the tables it wrote (merge_steps.ANALYZE_AFTER).
LARGE_COMMIT = COMMIT_EVERY  # records fetched


@dataclass
class _State:
    counts: RunCounts = field(default_factory=RunCounts)
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(
        ("fetch", "rules", "stage", "merge"), 0.0))
    learned: dict[str, EmailVerdict] = field(default_factory=dict)  # new slow-path verdicts
    merge_steps: dict[str, float] = field(default_factory=dict)  # seconds, in merge order


def execute(engine: Engine, clock: Clock, plan: RunPlan, cancel: CancelToken,
            progress: ProgressCallback) -> SyncResult:
    with young_collections_only(), engine.connect() as conn:
        claimed = locks.claim_bridge(conn, plan.bridge_id)
        try:
            return _run(conn, clock, plan, cancel, progress, claimed)
        finally:
            if claimed:
                _release(conn, plan.bridge_id)


def _run(conn: Connection, clock: Clock, plan: RunPlan, cancel: CancelToken,
         progress: ProgressCallback, claimed: bool) -> SyncResult:
    recorder = RunRecorder(clock)
    state = _State()
    with conn.begin():  # IMMEDIATE: the busy check and the new run row are one step
        busy = _busy(conn, clock, plan.bridge_id, claimed)
        recorder.start(conn, bridge_id=plan.bridge_id, group_id=plan.group_id,
                       trigger=plan.trigger, kind=plan.kind.value,
                       mode="dry_run" if plan.dry_run else "live")
    if busy is not None:
        return _fail(conn, recorder, state, SyncError(busy))
    conn.execution_options(sqlite_begin="DEFERRED")  # staging locks nothing in the mirror
    for note in plan.notes:
        recorder.log(note)
    try:
        _stage(conn, plan, state, recorder, cancel, progress)
        preview = _merge(conn, clock, plan, state, recorder, cancel, progress)
        return SyncResult(recorder.run_id, "succeeded", state.counts,
                          timings=state.timings, merge_steps=state.merge_steps,
                          preview=preview, dry_run=plan.dry_run)
    except (SyncCancelled, ConnectorError, SyncError) as err:
        return _fail(conn, recorder, state, err)
    except Exception as err:  # a bug: still record it and leave the mirror untouched
        _fail(conn, recorder, state, err)
        raise
    finally:
        if conn.in_transaction():
            conn.rollback()
        discard_stage(conn)


def _busy(conn: Connection, clock: Clock, bridge_id: int, claimed: bool) -> str | None:
    """Why this bridge cannot sync now, or None. Where the mirror tracks live runs
    (PostgreSQL), holding the bridge proves its `running` runs dead: they are interrupted."""
    if not locks.tracks_live_runs(conn):
        return running_on_bridge(conn, bridge_id)
    if not claimed:
        return running_on_bridge(conn, bridge_id) or (
            "This bridge is already syncing from another console; wait for it to finish.")
    interrupt_runs_of(conn, bridge_id, clock)
    return None


def _release(conn: Connection, bridge_id: int) -> None:
    try:
        locks.release_bridge(conn, bridge_id)
    except DBAPIError:  # the connection broke; closing it lets go of the bridge
        conn.invalidate()


def running_on_bridge(conn: Connection, bridge_id: int) -> str | None:
    """Two syncs of one bridge at once are refused: the sentence saying which run is busy."""
    found = conn.execute(
        select(SyncRun.id, SyncRun.started_at, SyncRun.owner)
        .where(SyncRun.bridge_id == bridge_id, SyncRun.status == "running")
        .order_by(SyncRun.id).limit(1)
    ).first()
    if found is None:
        return None
    run_id, started, owner = found
    return (f"This bridge is already syncing (run #{run_id}, started {started:%Y-%m-%d %H:%M} "
            f"UTC by {owner or 'another console'}); wait for it to finish.")


def _stage(conn: Connection, plan: RunPlan, state: _State, recorder: RunRecorder,
           cancel: CancelToken, progress: ProgressCallback) -> None:
    create_stage(conn)
    checker = EmailChecker(**checker_sources(conn, few_records=plan.expects_few_records))
    last = plan.last_synced
    started = time.perf_counter()
    # A large group's fetch process starts here and asks the AMS for the group while the
    # digests it splits the pages by are read (sync/fetch_process); `fetch` counts both.
    total, pages = plan.fetch(cancel)
    try:
        state.counts.expected = total
        recorder.log(f"Fetching {total:,} records from the AMS." if total is not None
                     else "Fetching records from the AMS.")
        if last is not None:
            last.load(conn, plan.bridge_id)
        conn.commit()
        unchanged = _stage_pages(conn, plan, state, checker, pages, total, cancel, progress)
    finally:
        close = getattr(pages, "close", None)
        if close is not None:
            close()  # ends a fetch process now, whether or not a page was read
    if unchanged:
        recorder.log(f"{unchanged:,} of {state.counts.fetched:,} records are as this bridge "
                     f"last synced them: passed over, not compared again.")
    if plan.leaving:
        mark_leaving(conn, plan.leaving)
    conn.commit()
    t = state.timings
    t["fetch"] = time.perf_counter() - started - t["rules"] - t["stage"]
    state.learned = checker.learned()


def _stage_pages(conn: Connection, plan: RunPlan, state: _State, checker: EmailChecker,
                 pages: Iterable[list[RemoteRecord] | Split], total: int | None,
                 cancel: CancelToken, progress: ProgressCallback) -> int:
    """Judge each page's changed records and stage them, and the passed-over ones by id;
    returns how many were passed over."""
    last = plan.last_synced
    seq, since_commit, unchanged, filled = 0, 0, 0, 0
    t = state.timings
    for page in pages:
        cancel.raise_if_cancelled()
        t0 = time.perf_counter()
        split = page if isinstance(page, Split) else last.split(page) if last else whole(page)
        records = split.changed
        verdicts = checker.check_many([record.email for record in records])
        judged = [judge(r, plan.policy, v) for r, v in zip(records, verdicts, strict=True)]
        t1 = time.perf_counter()
        load(conn, stage_rows([seq + at for at in split.changed_at], judged, split.digests))
        if split.same:
            load_same(conn, [seq + at for at in split.same_at], split.same)
        t["stage"] += time.perf_counter() - t1
        t["rules"] += t1 - t0
        unchanged += len(split.same)
        seq += len(records) + len(split.same)
        since_commit += len(records) + len(split.same)
        if since_commit >= COMMIT_EVERY:
            filled = _fill_unchanged(conn, plan, filled, seq, t)
            conn.commit()
            since_commit = 0
        progress(Progress("fetch", seq, total))
    _fill_unchanged(conn, plan, filled, seq, t)
    state.counts.fetched = seq
    return unchanged


def _fill_unchanged(conn: Connection, plan: RunPlan, start: int, stop: int,
                    timings: dict[str, float]) -> int:
    """The records passed over since `start`, staged whole (sync/last_synced); returns `stop`."""
    if plan.last_synced is not None and stop > start:
        started = time.perf_counter()
        fill_unchanged(conn, plan.bridge_id, start, stop)
        timings["stage"] += time.perf_counter() - started
    return stop


def _merge(conn: Connection, clock: Clock, plan: RunPlan, state: _State,
           recorder: RunRecorder, cancel: CancelToken, progress: ProgressCallback) -> list:
    started = time.perf_counter()
    now = clock.now()
    run_id = recorder.run_id
    conn.execution_options(sqlite_begin="IMMEDIATE")
    conn.begin()
    locks.lock_merges(conn)
    steps = merge_steps(conn, plan, recorder, state.learned, state.counts.fetched, now)
    for number, (name, step) in enumerate(steps, start=1):
        cancel.raise_if_cancelled()
        step_started = time.perf_counter()
        step()
        state.merge_steps[name] = time.perf_counter() - step_started
        progress(Progress("merge", number, len(steps)))
    if plan.after_merge is not None:
        plan.after_merge(conn)
    _count(conn, plan, state.counts, run_id)
    if plan.group_id is not None:
        conn.execute(update(TargetGroup).where(TargetGroup.id == plan.group_id)
                     .values(last_synced_at=now))
    state.timings["merge"] = time.perf_counter() - started
    recorder.log(_summary(state.counts))
    cancel.raise_if_cancelled()
    if not plan.dry_run:
        recorder.finish(conn, "succeeded", state.counts)
        with checkpoint_after(conn, large=state.counts.fetched >= LARGE_COMMIT):
            conn.commit()
        if plan.after_commit is not None:
            _after_commit(conn, plan, recorder)
        return []
    preview = capture_preview(conn, run_id)
    conn.rollback()
    recorder.log("Dry run: nothing was applied; the changes above are a preview.")
    with conn.begin():
        restore_preview(conn, run_id, preview)
        recorder.finish(conn, "succeeded", state.counts)
    return preview.changes


def _after_commit(conn: Connection, plan: RunPlan, recorder: RunRecorder) -> None:
    """Work that follows a committed run (iDSS codes). The run stays succeeded whatever
    happens here: its failure is logged on the run, never recorded as the sync's."""
    try:
        with conn.begin():
            plan.after_commit(conn, recorder)  # type: ignore[misc]
            recorder.flush(conn)
    except Exception as err:  # noqa: BLE001 - the committed sync must not be reported failed
        message = str(err) if isinstance(err, ConnectorError) else type(err).__name__
        recorder.log(f"The sync committed, but what follows it failed: {message}", "error")
        with conn.begin():
            recorder.flush(conn)


def _count(conn: Connection, plan: RunPlan, counts: RunCounts, run_id: int) -> None:
    rows = conn.execute(
        text("SELECT change, COUNT(*) FROM run_change WHERE run_id = :run GROUP BY change"),
        {"run": run_id},
    ).all()
    by_change = dict(rows)
    counts.added = by_change.get("added", 0) + by_change.get("created", 0)
    counts.updated = by_change.get("updated", 0) + by_change.get("linked", 0)
    counts.removed = by_change.get("removed", 0)
    counts.excluded = conn.execute(
        text("SELECT COUNT(*) FROM exclusion WHERE run_id = :run"), {"run": run_id}
    ).scalar_one()
    if plan.group_id is not None:
        counts.members_after = conn.execute(
            select(func.count()).select_from(Membership)
            .where(Membership.group_id == plan.group_id)
        ).scalar_one()


def _summary(c: RunCounts) -> str:
    return (f"Fetched {c.fetched:,}: added {c.added:,}, updated {c.updated:,}, "
            f"removed {c.removed:,}, excluded {c.excluded:,}.")


def _fail(conn: Connection, recorder: RunRecorder, state: _State, err: Exception) -> SyncResult:
    if conn.in_transaction():
        conn.rollback()
    status = "cancelled" if isinstance(err, SyncCancelled) else "failed"
    message = str(err) if isinstance(err, SyncCancelled | ConnectorError | SyncError) else (
        f"Unexpected error ({type(err).__name__}); the mirror is unchanged.")
    recorder.log(message, "error")
    with conn.begin():
        recorder.finish(conn, status, state.counts, message)
    return SyncResult(recorder.run_id, status, state.counts, error=message,
                      timings=state.timings)
