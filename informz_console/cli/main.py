"""`informz-console`: with no command, the console window; otherwise a headless command."""

from __future__ import annotations

import argparse
import os
import sys

from informz_console import __version__
from informz_console.cli import (
    cmd_bridge,
    cmd_demo,
    cmd_due,
    cmd_groups,
    cmd_idss,
    cmd_mailing,
    cmd_preferences,
    cmd_report,
    cmd_sandbox,
    cmd_settings,
    cmd_subscriber,
    cmd_sync,
    cmd_upload,
    cmd_writebacks,
)
from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json, err
from informz_console.connectors.errors import ConnectorError
from informz_console.store.engine import MirrorError
from informz_console.sync.run_plan import SyncError

COMMANDS = (cmd_demo, cmd_sandbox, cmd_bridge, cmd_groups, cmd_sync, cmd_idss, cmd_report,
            cmd_upload, cmd_due, cmd_mailing, cmd_writebacks, cmd_subscriber, cmd_preferences,
            cmd_settings)
# Errors a user can cause: one sentence, exit 1, never a traceback.
USER_ERRORS = (ConnectorError, SyncError, MirrorError, LookupError, ValueError, OSError)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="informz-console",
        description="Run, fix and explain AMS <-> email-marketing subscriber syncs.",
    )
    root.add_argument("--mirror", help="mirror database: a file path or a SQLAlchemy URL "
                      "(default: $INFORMZ_MIRROR, else the last mirror used)")
    root.add_argument("--json", action="store_true", help="machine-readable output")
    root.add_argument("--debug", action="store_true", help="show tracebacks")
    window = root.add_argument_group("console window (when no COMMAND is given)")
    window.add_argument("--demo", action="store_true",
                        help="open a demo mirror wired to sandbox AMS the console starts itself")
    window.add_argument("--demo-members", type=int, default=5000, metavar="N",
                        help="generated members per sandbox AMS for --demo (default 5000)")
    window.add_argument("--screenshot", metavar="DIR",
                        help="with --demo: save a PNG of each tab to DIR and exit")
    root.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = root.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        from informz_console.ui.app import run_console  # Qt only when a window is wanted

        return run_console(args)
    ctx = CliContext(args.mirror, args.json, may_create=getattr(args, "creates_mirror", False))
    try:
        return args.run(ctx, args)
    except BrokenPipeError:  # `... | head`: the reader has gone, and that is fine
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter's flush quiet
        return 0
    except USER_ERRORS as error:
        if args.debug:
            raise
        message = str(error) or type(error).__name__
        if args.json:
            emit_json({"ok": False, "error": message})
        else:
            err(message)
        return 1
    except KeyboardInterrupt:
        err("Interrupted.")
        return 130
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
