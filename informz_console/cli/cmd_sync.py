"""`sync BRIDGE [--group G] [--partial|--full] [--dry-run]`."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from informz_console.cli.context import CliContext
from informz_console.cli.progress import TerminalProgress, cancel_on_interrupt
from informz_console.cli.results import report_result
from informz_console.cli.secrets_prompt import ensure_secret
from informz_console.store.queries.groups import groups_of_bridge
from informz_console.sync.lookup import find_bridge
from informz_console.sync.requests import SyncKind, SyncRequest, Trigger


def register(sub: argparse._SubParsersAction) -> None:
    sync = sub.add_parser("sync", help="sync a bridge: one group, a partial or a full refresh")
    sync.add_argument("bridge")
    sync.add_argument("--group", help="resync this target group (remote key, name or id)")
    mode = sync.add_mutually_exclusive_group()
    mode.add_argument("--partial", action="store_true",
                      help="iMIS: apply Informz_Changes since the last sync (the default)")
    mode.add_argument("--full", action="store_true",
                      help="iMIS: rebuild Informz_Changes and apply all of it (staff only)")
    mode.add_argument("--all-groups", action="store_true", help="resync every target group")
    sync.add_argument("--dry-run", action="store_true",
                      help="report what would change, apply nothing")
    sync.add_argument("--trigger", default="manual", choices=[t.value for t in Trigger])
    sync.set_defaults(run=run_sync)


def _requests(ctx: CliContext, args: argparse.Namespace) -> list[SyncRequest]:
    trigger = Trigger(args.trigger)
    if args.group:
        return [SyncRequest(args.bridge, SyncKind.RESYNC_GROUP, args.group, trigger,
                            args.dry_run)]
    with Session(ctx.engine) as session:
        bridge = find_bridge(session, args.bridge)
        keys = [g.remote_key for g in groups_of_bridge(session, bridge.id)]
        kind = bridge.kind
    if args.full:
        return [SyncRequest(args.bridge, SyncKind.FULL, trigger=trigger, dry_run=args.dry_run)]
    if args.partial or (kind == "imis" and not args.all_groups):
        return [SyncRequest(args.bridge, SyncKind.PARTIAL, trigger=trigger,
                            dry_run=args.dry_run)]
    return [SyncRequest(args.bridge, SyncKind.RESYNC_GROUP, key, trigger, args.dry_run)
            for key in keys]


def run_sync(ctx: CliContext, args: argparse.Namespace) -> int:
    ensure_secret(ctx, args.bridge)
    service = ctx.sync_service()
    worst = 0
    progress = TerminalProgress()
    with cancel_on_interrupt() as cancel:
        for request in _requests(ctx, args):
            result = service.run(request, progress=progress, cancel=cancel)
            progress.done()
            worst = max(worst, report_result(ctx, result, request.group or request.kind.value))
            if cancel.cancelled:
                break
    return worst
