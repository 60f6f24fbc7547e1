"""The merge's steps, in the order one run's merge takes them: each a name (the run's timings
show them by it) and the work, over the resolved stage and the mirror, in the merge's one
transaction (sync/pipeline.py runs them, checking cancel between steps)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection

from informz_console.domain.emails import EmailVerdict
from informz_console.sync import apply, resolve
from informz_console.sync.corrections import queue_corrections
from informz_console.sync.last_synced import remember
from informz_console.sync.run_plan import RunPlan
from informz_console.sync.runs import RunRecorder
from informz_console.sync.sql import analyze
from informz_console.sync.stage import COMMIT_EVERY, index_resolved, index_stage
from informz_console.sync.verdict_cache import save_verdicts

# A run that fetched this many records analyses the tables it writes in bulk (PostgreSQL).
ANALYZE_AFTER = COMMIT_EVERY  # records fetched
_BULK_WRITTEN = ("subscriber", "subscriber_link", "membership", "synced_record", "run_change",
                 "exclusion")

Step = tuple[str, Callable[[], object]]


def merge_steps(conn: Connection, plan: RunPlan, recorder: RunRecorder,
                learned: dict[str, EmailVerdict], fetched: int, now: datetime) -> list[Step]:
    """`learned`: the email verdicts the run's slow path found, kept for the next runs."""
    run_id = recorder.run_id
    return [
        ("index the stage", lambda: index_stage(conn)),
        ("resolve", lambda: _log_repeats(recorder, resolve.resolve(
            conn, plan.bridge_id, keep_last=plan.is_change_feed,
            email_change_moves=plan.email_change_moves))),
        ("new subscribers", lambda: apply.create_subscribers(conn, now)),
        ("index the resolved stage", lambda: index_resolved(conn)),
        ("blocked in the mirror", lambda: resolve.mark_blocked_in_mirror(conn)),
        ("moved emails", lambda: plan.email_change_moves and apply.unlink_moved(
            conn, run_id, plan.group_id, plan.bridge_id)),
        ("links", lambda: apply.link_records(conn, run_id, plan.group_id, plan.bridge_id, now)),
        ("updated subscribers", lambda: apply.update_subscribers(conn, run_id, plan.group_id,
                                                                 now)),
        ("memberships", lambda: _membership(conn, plan, run_id)),
        ("exclusions", lambda: apply.record_exclusions(conn, run_id, plan.group_id)),
        ("corrections", lambda: _log_corrections(recorder, queue_corrections(
            conn, plan.bridge_id, plan.bridge_kind, now))),
        ("email verdicts", lambda: save_verdicts(conn, learned)),
        ("synced records", lambda: plan.last_synced and remember(conn, plan.bridge_id)),
        ("statistics", lambda: plan.dry_run or _fresh_statistics(conn, fetched)),
    ]


def _fresh_statistics(conn: Connection, fetched: int) -> None:
    """PostgreSQL: a large run analyses the tables it wrote, so the next run is not planned
    against the statistics of before it. Autovacuum comes to them in its own time: at 1M iMIS
    members it did so 50 s after a first resync had doubled them, and the unchanged resync in
    between staged its passed-over records by scanning the synced records once per batch (its
    staging 37 s). Six tables of a million rows: 0.55 s. Not in a dry run: its rows are
    rolled back."""
    if fetched >= ANALYZE_AFTER:
        for table in _BULK_WRITTEN:
            analyze(conn, table)


def _membership(conn: Connection, plan: RunPlan, run_id: int) -> None:
    if plan.group_id is not None and plan.scope == "records":
        apply.sync_staged_memberships(conn, run_id, plan.group_id)
    elif plan.group_id is not None:
        apply.sync_membership(conn, run_id, plan.group_id, plan.bridge_id)
    else:
        apply.record_created(conn, run_id)
        apply.remove_from_bridge_groups(conn, run_id, plan.bridge_id)


def _log_repeats(recorder: RunRecorder, dropped: int) -> None:
    if dropped:
        recorder.log(f"{dropped:,} records the AMS listed more than once were counted once.")


def _log_corrections(recorder: RunRecorder, queued: int) -> None:
    if queued:
        recorder.log(f"{queued:,} auto-corrected emails queued as iCORRECT writebacks.")
