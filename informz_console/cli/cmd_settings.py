"""`settings [role staff|client]`: the console user's role (staff may run a full refresh)."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from informz_console.cli.output import emit_json
from informz_console.sync.retention import retention_days, set_retention_days
from informz_console.user_settings import ROLES, save_settings, settings_path


def register(sub: argparse._SubParsersAction) -> None:
    settings = sub.add_parser("settings", help="show or change this user's settings")
    settings.add_argument("--role", choices=ROLES, help="staff may run a full refresh")
    settings.add_argument("--retention-days", type=int, metavar="DAYS",
                          help="keep sync runs this many days in the mirror (default 90)")
    settings.set_defaults(run=run_settings, creates_mirror=True)  # retention lives there


def run_settings(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    if args.role:
        ctx.settings.role = args.role
        save_settings(ctx.settings)
    if args.retention_days is not None:
        set_retention_days(ctx.engine, args.retention_days)
    days = retention_days(ctx.engine)
    if ctx.json:
        emit_json({**asdict(ctx.settings), "retention_days": days,
                   "secure_keyring": ctx.credentials.secure})
    else:
        print(f"role: {ctx.settings.role}\nlast mirror: {ctx.settings.last_mirror or '-'}\n"
              f"sync runs kept: {days} days (in this mirror)\n"
              f"settings file: {settings_path()}\n"
              f"keyring: {'secure' if ctx.credentials.secure else ctx.credentials.notice}")
    return 0
