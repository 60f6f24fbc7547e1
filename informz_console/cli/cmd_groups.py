"""`groups refresh|list`."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json, table
from informz_console.cli.results import report_result
from informz_console.cli.secrets_prompt import ensure_secret
from informz_console.store.queries.counts import all_counts
from informz_console.sync.requests import SyncKind, SyncRequest, Trigger


def register(sub: argparse._SubParsersAction) -> None:
    groups = sub.add_parser("groups", help="target groups: refresh the list from the AMS, list")
    actions = groups.add_subparsers(dest="action", required=True)
    refresh = actions.add_parser("refresh", help="refresh target group list (counts unchanged)")
    refresh.add_argument("bridge")
    refresh.set_defaults(run=run_refresh)
    listing = actions.add_parser("list", help="target groups in the mirror")
    listing.add_argument("bridge", nargs="?")
    listing.set_defaults(run=run_list)


def run_refresh(ctx: CliContext, args: argparse.Namespace) -> int:
    ensure_secret(ctx, args.bridge)
    result = ctx.sync_service().run(
        SyncRequest(args.bridge, SyncKind.REFRESH_LIST, trigger=Trigger.LIST_REFRESH))
    return report_result(ctx, result)


def run_list(ctx: CliContext, args: argparse.Namespace) -> int:
    with Session(ctx.engine) as session:
        groups = [g for g in all_counts(session)
                  if args.bridge is None or g.bridge.lower() == args.bridge.lower()]
    if ctx.json:
        emit_json(groups)
        return 0
    if not groups:
        print("No target groups: `informz-console groups refresh BRIDGE` fetches them.")
        return 0
    print(table(["id", "bridge", "folder", "group", "kind", "members", "last synced", "note"],
                [[g.group_id, g.bridge, g.folder, g.name, g.kind, g.members, g.last_synced_at,
                  ("STALE: " if g.stale else "") + g.regeneration] for g in groups]))
    return 0
