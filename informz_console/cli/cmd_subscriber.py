"""`subscriber unsubscribe|optout|resubscribe|bad-email EMAIL [--reason TEXT] [--no-deliver]`.

Changes the subscriber's status in the mirror and queues the writebacks it owes each linked
AMS (iUNSUB waits for the 01:00 Eastern batch; the others are sent at once, unless
--no-deliver, in which case `writebacks --deliver` or the nightly `due --run` sends them).
"""

from __future__ import annotations

import argparse

from informz_console.cli.cmd_writebacks import print_report
from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json
from informz_console.cli.secrets_prompt import ensure_secret
from informz_console.sync.subscriber_actions import Action, change_status, deliver_now


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("subscriber", help="unsubscribe, opt out, resubscribe or mark a bad "
                         "email; queues the writebacks to the AMSs")  # fmt: skip
    cmd.add_argument("action", choices=[a.value for a in Action])
    cmd.add_argument("email", help="the subscriber's email address")
    cmd.add_argument("--reason", help="why (shown in the mirror and written back)")
    cmd.add_argument("--no-deliver", action="store_true",
                     help="only queue the writebacks; do not send the immediate ones now")
    cmd.set_defaults(run=run)


def run(ctx: CliContext, args: argparse.Namespace) -> int:
    result = change_status(ctx.engine, ctx.clock, args.email, Action(args.action), args.reason)
    report = None
    if result.due_now_keys and not args.no_deliver:
        for bridge in sorted({q.bridge for q in result.queued if q.key in result.due_now_keys}):
            ensure_secret(ctx, bridge)
        report = deliver_now(ctx.engine, ctx.clock, ctx.credentials, result)
    failed = report is not None and bool(report.failed or report.errors)
    if ctx.json:
        emit_json({"email": result.email, "status": result.status, "reason": result.reason,
                   "changed": result.changed, "withdrawn": result.withdrawn,
                   "queued": result.queued, "delivery": report})  # fmt: skip
        return 1 if failed else 0
    print(result.sentence())
    if report is not None:
        print_report(report)
    return 1 if failed else 0
