"""`demo`: sandbox endpoints up, demo bridges wired, everything synced, sandbox down."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from informz_console.cli.output import emit_json, err
from informz_console.cli.progress import TerminalProgress, cancel_on_interrupt
from informz_console.demo import demo_endpoints, demo_mirror_path, sync_everything, wire_bridges
from informz_console.store.queries.counts import all_counts
from informz_console.store.queries.labels import reason_label


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="sync a generated sandbox AMS into a demo mirror")
    demo.add_argument("--members", type=int, default=5000, help="generated iMIS members")
    demo.set_defaults(run=run_demo, creates_mirror=True)


def run_demo(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    if not ctx.mirror_arg:
        ctx.mirror_arg = str(demo_mirror_path())
        ctx.__dict__.pop("mirror", None)
    if ctx.credentials.notice and not ctx.json:
        err(ctx.credentials.notice)
    if not ctx.json:
        print(f"Generating a sandbox iMIS with {args.members:,} members...")
    progress = TerminalProgress()
    with demo_endpoints(members=args.members) as endpoints, cancel_on_interrupt() as cancel:
        bridges = wire_bridges(ctx.engine, ctx.credentials, ctx.clock, endpoints)
        outcome = sync_everything(ctx.sync_service(), bridges, progress, cancel)
        progress.done()
    with Session(ctx.engine) as session:
        counts = all_counts(session)
    if ctx.json:
        emit_json({"mirror": ctx.mirror, "ok": outcome.ok,
                   "runs": [{"label": label, "run_id": r.run_id, "status": r.status,
                             "error": r.error, "counts": r.counts}
                            for label, r in outcome.results],
                   "groups": counts})
        return 0 if outcome.ok else 1
    for label, result in outcome.results:
        if not result.ok:
            err(f"{label}: {result.error}")
    print(f"\nMirror: {ctx.mirror}")
    bridge = None
    for c in counts:
        if c.bridge != bridge:
            bridge = c.bridge
            print(f"\n{bridge}")
        print(f"  {c.name[:34]:<34} {c.members:>7,} members of {c.fetched or 0:>7,} fetched")
        for reason, n in c.excluded.items():
            print(f"  {'':<34} {n:>7,} excluded: {reason_label(reason)}")
    print("\nThe sandboxes are stopped; the mirror answers on its own. Try:\n"
          "  informz-console counts --bridge 'Demo iMIS'\n"
          "  informz-console runs\n"
          "  informz-console explain SOMEONE@EXAMPLE.ORG --group Everyone --bridge 'Demo iMIS'")
    return 0 if outcome.ok else 1
