"""`counts`, `explain`, `runs`: read from the mirror alone (no AMS needed)."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from informz_console.cli.output import emit_json, table
from informz_console.store.queries.counts import GroupCounts, all_counts
from informz_console.store.queries.explain import explain
from informz_console.store.queries.groups import match_groups, one_group
from informz_console.store.queries.labels import reason_label
from informz_console.store.queries.runs import list_runs, run_detail
from informz_console.sync.interrupted import mark_interrupted


def register(sub: argparse._SubParsersAction) -> None:
    counts = sub.add_parser("counts", help="per group: members, and excluded by reason")
    counts.add_argument("--group", help="one group (remote key, name or id)")
    counts.add_argument("--bridge", help="only this bridge's groups")
    counts.set_defaults(run=run_counts)
    why = sub.add_parser("explain", help="why a subscriber is or is not in a group")
    why.add_argument("email", metavar="EMAIL_OR_AMS_ID",
                     help="the subscriber's email (as the mirror or the AMS has it), or the "
                          "record's AMS id on the group's bridge")
    why.add_argument("--group", required=True, help="the group (remote key, name or id)")
    why.add_argument("--bridge", help="the group's bridge, where two bridges share its name")
    why.set_defaults(run=run_explain)
    runs = sub.add_parser("runs", help="the sync log (newest first), or one run's detail")
    runs.add_argument("run_id", nargs="?", type=int, help="show this run's log and exclusions")
    runs.add_argument("--bridge")
    runs.add_argument("--status", choices=["running", "succeeded", "failed", "cancelled",
                                           "interrupted"])
    runs.add_argument("--trigger")
    runs.add_argument("--limit", type=int, default=30)
    runs.set_defaults(run=run_runs)


def _print_counts(c: GroupCounts) -> None:
    fetched = f"{c.fetched:,}" if c.fetched is not None else "never resynced"
    print(f"{c.bridge} / {c.name}  [{c.remote_key}]")
    print(f"  members: {c.members:,}   fetched by the latest resync: {fetched}"
          + (f" (run #{c.last_run_id})" if c.last_run_id else ""))
    for reason, n in c.excluded.items():
        print(f"  excluded - {reason_label(reason)}: {n:,}")


def run_counts(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    with Session(ctx.engine) as session:
        ids = None
        if args.group:
            ids = [g.id for g in match_groups(session, args.group, args.bridge)]
            if not ids:
                one_group(session, args.group, args.bridge)  # raises the clear sentence
        counts = [c for c in all_counts(session, ids)
                  if args.bridge is None or c.bridge.lower() == args.bridge.lower()]
    if ctx.json:
        emit_json(counts)
    elif not counts:
        print("No target groups in this mirror yet.")
    for c in [] if ctx.json else counts:
        _print_counts(c)
    return 0


def run_explain(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    with Session(ctx.engine) as session:
        group = one_group(session, args.group, args.bridge)
        answer = explain(session, args.email, group)
    if ctx.json:
        emit_json(answer)
        return 0
    print(answer.verdict)
    if answer.status:
        why = f" ({answer.status_reason})" if answer.status_reason else ""
        print(f"  subscriber status: {answer.status}{why}")
    for entry in answer.history:
        print(f"  {entry.sentence()}")
    return 0


def run_runs(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    mark_interrupted(ctx.engine, ctx.clock)
    with Session(ctx.engine) as session:
        if args.run_id is not None:
            return _show_run(ctx, session, args.run_id)
        runs = list_runs(session, bridge=args.bridge, status=args.status,
                         trigger=args.trigger, limit=args.limit)
    if ctx.json:
        emit_json(runs)
        return 0
    if not runs:
        print("The sync log is empty.")
        return 0
    print(table(["run", "started", "bridge", "group", "trigger", "kind", "status", "fetched",
                 "added", "updated", "removed", "excluded", "seconds"],
                [[r.id, r.started_at, r.bridge, r.group, r.trigger,
                  r.kind + (" (dry)" if r.mode == "dry_run" else ""), r.status, r.fetched,
                  r.added, r.updated, r.removed, r.excluded,
                  f"{r.duration_s:.1f}" if r.duration_s is not None else None] for r in runs]))
    return 0


def _show_run(ctx, session: Session, run_id: int) -> int:  # type: ignore[no-untyped-def]
    detail = run_detail(session, run_id)
    if detail is None:
        raise LookupError(f"There is no run #{run_id} in this mirror.")
    if ctx.json:
        emit_json(detail)
        return 0
    r = detail.run
    print(f"run #{r.id}: {r.bridge} {r.group or ''} {r.trigger} {r.kind} {r.mode} {r.status}")
    if r.error:
        print(f"  error: {r.error}")
    for at, level, message in detail.log:
        print(f"  {at:%H:%M:%S} {level:5} {message}")
    for reason, n in detail.excluded_by_reason.items():
        print(f"  excluded - {reason_label(reason)}: {n:,}")
    return 0
