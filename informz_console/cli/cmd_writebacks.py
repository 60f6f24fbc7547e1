"""`writebacks [--deliver] [--retry] [--bridge B]`: the outbox of changes for the AMSs.

Lists queued writebacks counted by bridge, type and state; `--retry` puts failed ones back to
ready first, `--deliver` then sends every due one through its bridge's connector.
"""

from __future__ import annotations

import argparse

from informz_console.cli.output import emit_json, err, table
from informz_console.cli.secrets_prompt import ensure_secret
from informz_console.sync.outbox import DeliveryReport, deliver_due, retry_failed, summary


def register(sub: argparse._SubParsersAction) -> None:
    wb = sub.add_parser("writebacks", help="writebacks to the AMSs: counts, deliver, retry")
    wb.add_argument("--deliver", action="store_true", help="send the due writebacks now")
    wb.add_argument("--retry", action="store_true", help="put failed writebacks back to ready")
    wb.add_argument("--bridge", help="only this bridge's writebacks")
    wb.set_defaults(run=run)


SHOWN_ERRORS = 10


def print_report(report: DeliveryReport) -> None:
    print(report.sentence())
    for row_id, bridge, kind, sentence in report.errors[:SHOWN_ERRORS]:
        which = f"writeback #{row_id}" if row_id is not None else "writebacks"
        err(f"{which} ({bridge}, {kind}): {sentence}")
    if len(report.errors) > SHOWN_ERRORS:
        err(f"... and {len(report.errors) - SHOWN_ERRORS:,} more; `writebacks --json` lists all.")


def run(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    retried = retry_failed(ctx.engine, ctx.clock, bridge=args.bridge) if args.retry else None
    report = None
    if args.deliver:
        if args.bridge:
            ensure_secret(ctx, args.bridge)
        report = deliver_due(ctx.engine, ctx.clock, ctx.credentials, bridge=args.bridge)
    counts = summary(ctx.engine, bridge=args.bridge)
    if ctx.json:
        emit_json({
            "retried": retried,
            "delivery": report,
            "counts": [{"bridge": b, "type": t, "state": s, "count": n} for b, t, s, n in counts],
        })  # fmt: skip
        return 0 if report is None or not (report.failed or report.errors) else 1
    if retried is not None:
        print(f"{retried:,} failed writebacks put back to ready.")
    if report is not None:
        print_report(report)
    if counts:
        print(table(["bridge", "type", "state", "count"],
                    [[b, t, s, f"{n:,}"] for b, t, s, n in counts]))  # fmt: skip
    else:
        print("No writebacks are queued.")
    return 0 if report is None or not (report.failed or report.errors) else 1
