"""How a sync result reads on a terminal, or as JSON."""

from __future__ import annotations

from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json, err
from informz_console.sync.requests import SyncResult


def report_result(ctx: CliContext, result: SyncResult, label: str = "") -> int:
    if ctx.json:
        emit_json({"run_id": result.run_id, "status": result.status, "error": result.error,
                   "summary": result.summary, "counts": result.counts,
                   "timings": result.timings,
                   "preview": result.preview[:1000]})
        return 0 if result.ok else 1
    prefix = f"{label}: " if label else ""
    if not result.ok:
        err(f"{prefix}run #{result.run_id} {result.status}: {result.error}")
        return 1
    if result.summary:
        print(f"{prefix}{result.summary}")
        return 0
    c = result.counts
    members = f"; {c.members_after:,} members now" if c.members_after is not None else ""
    dry = " (dry run: nothing applied)" if result.dry_run else ""
    print(f"{prefix}run #{result.run_id}: fetched {c.fetched:,}, added {c.added:,}, "
          f"updated {c.updated:,}, removed {c.removed:,}, excluded {c.excluded:,}"
          f"{members}{dry}.")
    for change in result.preview[:20]:
        why = f" ({change.reason})" if change.reason else ""
        print(f"  would {change.change}: {change.email or change.ams_id}{why}")
    if len(result.preview) > 20:
        print(f"  ... and {len(result.preview) - 20:,} more changes")
    return 0
