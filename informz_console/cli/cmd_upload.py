"""`upload CSV [--dry-run]`: merge a subscriber file by email (seed 000)."""

from __future__ import annotations

import argparse

from informz_console.cli.output import emit_json, err
from informz_console.cli.progress import TerminalProgress, cancel_on_interrupt
from informz_console.sync.upload import upload_csv


def register(sub: argparse._SubParsersAction) -> None:
    upload = sub.add_parser("upload", help="merge a subscriber CSV into the mirror by email")
    upload.add_argument("csv", help="a CSV file with an email column")
    upload.add_argument("--dry-run", action="store_true", help="report, change nothing")
    upload.set_defaults(run=run_upload, creates_mirror=True)


def run_upload(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    progress = TerminalProgress()
    with cancel_on_interrupt() as cancel:
        result = upload_csv(ctx.engine, args.csv, ctx.clock, dry_run=args.dry_run,
                            cancel=cancel, progress=progress)
    progress.done()
    if ctx.json:
        emit_json(result)
        return 0 if result.ok else 1
    if not result.ok:
        err(result.error or result.status)
        return 1
    print(result.sentence())
    for note in result.notes:
        print(f"  note: {note}")
    for issue in (result.invalid_rows + result.duplicate_rows)[:20]:
        print(f"  line {issue.line}: {issue.value!r}: {issue.reason}")
    return 0
