"""`idss follow BRIDGE`: apply the iDSS change feed as it comes (seed 002: "real time")."""

from __future__ import annotations

import argparse

from informz_console.cli.output import emit_json, err
from informz_console.cli.progress import cancel_on_interrupt
from informz_console.cli.secrets_prompt import ensure_secret
from informz_console.sync.follow import FollowResult, follow_once


def register(sub: argparse._SubParsersAction) -> None:
    idss = sub.add_parser("idss", help="iDSS: follow the change feed")
    actions = idss.add_subparsers(dest="action", required=True)
    follow = actions.add_parser("follow", help="apply iDSS changes as they are saved "
                                "(Ctrl+C stops)")
    follow.add_argument("bridge")
    follow.add_argument("--once", action="store_true", help="one poll, then exit")
    follow.add_argument("--poll", type=float, default=5.0, help="seconds between polls")
    follow.set_defaults(run=run_follow)


def _say(ctx, outcome: FollowResult) -> None:  # type: ignore[no-untyped-def]
    if ctx.json:
        emit_json({"changes": outcome.changes, "position": outcome.position, "ok": outcome.ok,
                   "runs": [r.run_id for r in outcome.results if r.run_id]})
        return
    if outcome.changes:
        added = sum(r.counts.added for r in outcome.results)
        removed = sum(r.counts.removed for r in outcome.results)
        print(f"{outcome.changes:,} changes applied: {added:,} memberships added, "
              f"{removed:,} removed; feed position {outcome.position:,}.", flush=True)
    for result in outcome.results:
        if not result.ok:
            err(f"run #{result.run_id} {result.status}: {result.error}")


def run_follow(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    ensure_secret(ctx, args.bridge)
    service = ctx.sync_service()
    with cancel_on_interrupt() as cancel:
        while True:
            outcome = follow_once(service, args.bridge, cancel)
            _say(ctx, outcome)
            if args.once or cancel.cancelled:
                return 0 if outcome.ok else 1
            if cancel.wait(args.poll):
                return 0
