"""`mailing publish NAME --groups G [G ...] [--bridge B]`: record a mailing, resync its groups.

Publishing a mailing syncs its target groups with the AMS (seeds 000, 001, 003); compound
groups are expanded and each group it reaches is resynced once (trigger `mailing`).
"""

from __future__ import annotations

import argparse

from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json, err
from informz_console.sync.mailings import publish_mailing


def register(sub: argparse._SubParsersAction) -> None:
    mailing = sub.add_parser("mailing", help="mailings: publish (resyncs its target groups)")
    actions = mailing.add_subparsers(dest="action", required=True)
    publish = actions.add_parser(
        "publish",
        help="record a published mailing and resync the "
        "target groups it reaches (compound groups expanded)",
    )
    publish.add_argument("name", help="the mailing's name")
    publish.add_argument(
        "--groups",
        nargs="+",
        required=True,
        metavar="G",
        help="target groups: remote key, name or id",
    )
    publish.add_argument("--bridge", help="look the groups up on this bridge only")
    publish.set_defaults(run=run_publish)


def run_publish(ctx: CliContext, args: argparse.Namespace) -> int:
    result = publish_mailing(
        ctx.sync_service(), args.name, args.groups, ctx.clock, bridge=args.bridge
    )
    if ctx.json:
        emit_json(
            {
                "ok": result.ok,
                "mailing_id": result.mailing_id,
                "name": result.name,
                "groups": result.groups,
                "resyncs": [
                    {
                        "group_id": r.group_id,
                        "group": r.group,
                        "bridge": r.bridge,
                        "run_id": r.result.run_id,
                        "status": r.result.status,
                        "error": r.result.error,
                        "counts": r.result.counts,
                    }
                    for r in result.resyncs
                ],
            }
        )
        return 0 if result.ok else 1
    print(
        f"Mailing #{result.mailing_id} {result.name!r} published to "
        f"{', '.join(result.groups)}; {len(result.resyncs)} target groups to resync."
    )
    for resync in result.resyncs:
        r = resync.result
        if r.ok:
            c = r.counts
            members = f"; {c.members_after:,} members" if c.members_after is not None else ""
            print(
                f"  {resync.bridge}: {resync.group!r}: run #{r.run_id}: added {c.added:,}, "
                f"updated {c.updated:,}, removed {c.removed:,}{members}."
            )
        else:
            err(f"  {resync.bridge}: {resync.group!r}: run #{r.run_id} {r.status}: {r.error}")
    return 0 if result.ok else 1
