"""`sandbox`: serve a sandbox iMIS on loopback until Ctrl+C."""

from __future__ import annotations

import argparse
import tempfile
import threading
from pathlib import Path

from informz_console.sandbox.imis import ImisSandbox


def register(sub: argparse._SubParsersAction) -> None:
    sandbox = sub.add_parser("sandbox", help="serve a generated iMIS (ODBC + REST) until Ctrl+C")
    sandbox.add_argument("--members", type=int, default=5000)
    sandbox.add_argument("--seed", type=int, default=1)
    sandbox.add_argument("--dir", help="keep the sandbox database here (default: a temp dir)")
    sandbox.set_defaults(run=run_sandbox)


def run_sandbox(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory(prefix="informz-sandbox-") as tmp:
        where = Path(args.dir) if args.dir else Path(tmp)
        print(f"Generating {args.members:,} members in {where}...", flush=True)
        sandbox = ImisSandbox.create(where, members=args.members, seed=args.seed)
        with sandbox:
            print(f"Sandbox iMIS is up.\n  REST: {sandbox.site_url}\n"
                  f"  ODBC: {sandbox.odbc_connection_string}\n"
                  f"  user: {sandbox.username}   password: {sandbox.password}\n\n"
                  "Add a bridge to it (the password is asked for):\n"
                  f"  informz-console bridge add 'Sandbox iMIS' --kind imis "
                  f"--odbc '{sandbox.odbc_connection_string}' --site {sandbox.site_url} "
                  f"--user {sandbox.username}\n\nCtrl+C stops it.", flush=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                print("\nSandbox stopped.")
    return 0
