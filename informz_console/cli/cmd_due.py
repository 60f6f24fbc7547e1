r"""`due [--run]`: what is due now (login list refreshes, nightly and weekend group resyncs,
and the nightly writebacks).

Without --run it only lists; with --run it runs each item through the sync service, the
trigger (login, nightly, weekend) recorded in the sync log, then queues the writebacks the
subscribers' status changes owe and delivers every due one (the iUNSUB batch is due from
01:00 Eastern, see `informz_console.domain.writeback_rules`). Running it again the same night
or the same Sunday morning runs nothing twice (see `informz_console.sync.due`). The rules and
windows (US Eastern: the night 18:00-06:00, Sunday morning 00:00-12:00) are documented in
`informz_console.domain.triggers`. Run it nightly from the system scheduler:

crontab (Linux/macOS), every night at 01:05 Eastern, just after the 01:00 iUNSUB batch time
(`CRON_TZ` where cron supports it, otherwise the local hour that falls at 01:05 Eastern)::

    CRON_TZ=America/New_York
    5 1 * * * informz-console --mirror /path/to/mirror.sqlite due --run >> ~/informz-due.log 2>&1

Personify and netFORUM writebacks are due at once and sent "every 10 minutes"; for that, add
`*/10 * * * * informz-console --mirror /path/to/mirror.sqlite writebacks --deliver`.

Windows Task Scheduler, every night at 01:05 Eastern (the local time that is 01:05 Eastern)::

    schtasks /Create /TN "Informz console nightly" /SC DAILY /ST 01:05 /RU %USERNAME% ^
        /TR "informz-console --mirror C:\data\mirror.sqlite due --run"

(or in the Task Scheduler window: Create Task > Triggers: Daily, 01:05 > Actions: Start a
program `informz-console`, arguments `--mirror C:\data\mirror.sqlite due --run`; "Run
whether user is logged on or not" so the keyring of that user holds the bridge passwords).

Exit code: 0 when everything due ran (or nothing was due), 1 when any run or writeback failed.
"""

from __future__ import annotations

import argparse

from informz_console.cli.cmd_writebacks import print_report
from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json, err, table
from informz_console.sync.due import (
    DueRun,
    DueWritebacks,
    due_now,
    run_due,
    run_due_writebacks,
    writebacks_due,
    writebacks_waiting,
)


def register(sub: argparse._SubParsersAction) -> None:
    due = sub.add_parser("due", help="what is due now (login, nightly, weekend); --run runs it")
    due.add_argument(
        "--run", action="store_true", dest="run_now", help="run what is due (for a nightly task)"
    )
    due.set_defaults(run=run)


def _plain(item: DueRun) -> dict:  # type: ignore[type-arg]
    return {
        "bridge": item.bridge,
        "bridge_kind": item.bridge_kind,
        "trigger": item.trigger.value,
        "kind": item.kind.value,
        "group_id": item.group_id,
        "group": item.group,
        "reason": item.reason,
    }


def _plain_writebacks(item: DueWritebacks) -> dict:  # type: ignore[type-arg]
    return {"bridge": item.bridge, "trigger": "nightly", "kind": "writebacks",
            "type": item.type, "count": item.count, "reason": item.reason}  # fmt: skip


def _list(ctx: CliContext, due: list[DueRun], writebacks: list[DueWritebacks]) -> int:
    if ctx.json:
        emit_json([_plain(item) for item in due] + [_plain_writebacks(w) for w in writebacks])
        return 0
    if not due and not writebacks:
        print("Nothing is due now.")
    else:
        print(table(
            ["trigger", "bridge", "what", "group", "why"],
            [[d.trigger.value, d.bridge, d.kind.value, d.group, d.reason] for d in due]
            + [["nightly", w.bridge, "writebacks", f"{w.count:,} {w.type}", w.reason]
               for w in writebacks],
        ))  # fmt: skip
    for (bridge, kind), n in sorted(writebacks_waiting(ctx.engine, ctx.clock).items()):
        print(f"{bridge}: {n:,} {kind} writebacks are due later (the 01:00 Eastern iUNSUB "
              f"batch, or a retry after an error).")  # fmt: skip
    return 0


def run(ctx: CliContext, args: argparse.Namespace) -> int:
    due = due_now(ctx.engine, ctx.clock, user_is_staff=ctx.settings.is_staff)
    if not args.run_now:
        return _list(ctx, due, writebacks_due(ctx.engine, ctx.clock))
    results = run_due(ctx.sync_service(), due)
    queued, report = run_due_writebacks(ctx.engine, ctx.clock, ctx.credentials)
    failed = [r for r in results if not r.ok]
    writebacks_failed = bool(report.failed or report.errors)
    if ctx.json:
        emit_json({
            "runs": [{**_plain(item), "run_id": r.run_id, "status": r.status, "error": r.error,
                      "summary": r.summary, "counts": r.counts}
                     for item, r in zip(due, results, strict=True)],
            "writebacks": {"queued": len(queued), "delivery": report},
        })  # fmt: skip
        return 1 if failed or writebacks_failed else 0
    if not due:
        print("No syncs are due now.")
    for item, result in zip(due, results, strict=True):
        if result.ok:
            c = result.counts
            done = result.summary or (
                f"added {c.added:,}, updated {c.updated:,}, removed {c.removed:,}"
            )
            print(f"{item.describe()}: run #{result.run_id} succeeded; {done}")
        else:
            err(f"{item.describe()}: run #{result.run_id} {result.status}: {result.error}")
    if due:
        print(f"{len(results) - len(failed)} of {len(results)} due runs succeeded.")
    if queued:
        print(f"{len(queued):,} writebacks queued from subscriber status changes.")
    print_report(report)
    return 1 if failed or writebacks_failed else 0
