r"""`due [--run]`: what is due now (login list refreshes, nightly and weekend group resyncs).

Without --run it only lists; with --run it runs each item through the sync service, the
trigger (login, nightly, weekend) recorded in the sync log. Running it again the same night
or the same Sunday morning runs nothing twice (see `informz_console.sync.due`). The rules and
windows (US Eastern: the night 18:00-06:00, Sunday morning 00:00-12:00) are documented in
`informz_console.domain.triggers`. Run it nightly from the system scheduler:

crontab (Linux/macOS), every night at 02:30 Eastern (`CRON_TZ` where cron supports it,
otherwise pick the local hour that falls inside the Eastern night)::

    CRON_TZ=America/New_York
    30 2 * * * informz-console --mirror /path/to/mirror.sqlite due --run >> ~/informz-due.log 2>&1

Windows Task Scheduler, every night at 02:30 local time (choose an hour inside the Eastern
night)::

    schtasks /Create /TN "Informz console nightly" /SC DAILY /ST 02:30 /RU %USERNAME% ^
        /TR "informz-console --mirror C:\data\mirror.sqlite due --run"

(or in the Task Scheduler window: Create Task > Triggers: Daily, 02:30 > Actions: Start a
program `informz-console`, arguments `--mirror C:\data\mirror.sqlite due --run`; "Run
whether user is logged on or not" so the keyring of that user holds the bridge passwords).

Exit code: 0 when everything due ran (or nothing was due), 1 when any run failed.
"""

from __future__ import annotations

import argparse

from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json, err, table
from informz_console.sync.due import DueRun, due_now, run_due


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


def run(ctx: CliContext, args: argparse.Namespace) -> int:
    due = due_now(ctx.engine, ctx.clock, user_is_staff=ctx.settings.is_staff)
    if not args.run_now:
        if ctx.json:
            emit_json([_plain(item) for item in due])
        elif not due:
            print("Nothing is due now.")
        else:
            print(
                table(
                    ["trigger", "bridge", "what", "group", "why"],
                    [[d.trigger.value, d.bridge, d.kind.value, d.group, d.reason] for d in due],
                )
            )
        return 0
    results = run_due(ctx.sync_service(), due)
    failed = [r for r in results if not r.ok]
    if ctx.json:
        emit_json(
            [
                {
                    **_plain(item),
                    "run_id": r.run_id,
                    "status": r.status,
                    "error": r.error,
                    "summary": r.summary,
                    "counts": r.counts,
                }
                for item, r in zip(due, results, strict=True)
            ]
        )
        return 1 if failed else 0
    if not due:
        print("Nothing is due now.")
        return 0
    for item, result in zip(due, results, strict=True):
        if result.ok:
            c = result.counts
            done = result.summary or (
                f"added {c.added:,}, updated {c.updated:,}, removed {c.removed:,}"
            )
            print(f"{item.describe()}: run #{result.run_id} succeeded; {done}")
        else:
            err(f"{item.describe()}: run #{result.run_id} {result.status}: {result.error}")
    print(f"{len(results) - len(failed)} of {len(results)} due runs succeeded.")
    return 1 if failed else 0
