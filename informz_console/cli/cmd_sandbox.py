"""`sandbox`: serve the sandbox AMS endpoints on loopback until Ctrl+C."""

from __future__ import annotations

import argparse
import shlex
import tempfile
import threading
from pathlib import Path

from informz_console.demo import DEMO_AMS

FLAGS = {"connection_string": "--odbc", "site_url": "--site", "username": "--user",
         "ud_table": "--ud-table"}


def register(sub: argparse._SubParsersAction) -> None:
    sandbox = sub.add_parser("sandbox", help="serve generated AMS endpoints until Ctrl+C")
    sandbox.add_argument("--members", type=int, default=5000)
    sandbox.add_argument("--seed", type=int, default=1)
    sandbox.add_argument("--only", choices=[a.kind for a in DEMO_AMS], action="append",
                         help="serve only this AMS (repeatable)")
    sandbox.add_argument("--dir", help="keep the sandbox databases here (default: a temp dir)")
    sandbox.set_defaults(run=run_sandbox)


def _add_command(ams, box) -> str:  # type: ignore[no-untyped-def]
    spec = ams.spec(box)
    words = ["informz-console", "bridge", "add", f"Sandbox {ams.kind}", "--kind", ams.kind]
    for key, flag in FLAGS.items():
        if key in spec.settings:
            words += [flag, str(spec.settings[key])]
    if ams.kind == "imis":
        words += ["--accepted", spec.accepted_statuses]
    return shlex.join(words)


def run_sandbox(ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    chosen = [a for a in DEMO_AMS if not args.only or a.kind in args.only]
    with tempfile.TemporaryDirectory(prefix="informz-sandbox-") as tmp:
        where = Path(args.dir) if args.dir else Path(tmp)
        running = []
        try:
            for ams in chosen:
                print(f"Generating {args.members:,} {ams.kind} records...", flush=True)
                box = ams.sandbox.create(where / ams.kind, members=args.members, seed=args.seed)
                running.append((ams, box.start()))
            for ams, box in running:
                secret = "API key" if ams.secret_attribute == "api_key" else "password"
                print(f"\n{ams.kind} is up at {box.site_url}; its {secret} is "
                      f"{getattr(box, ams.secret_attribute)!r} (a sandbox value, not a secret)."
                      f"\n  {_add_command(ams, box)}")
            print("\nCtrl+C stops them.", flush=True)
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nSandboxes stopped.")
        finally:
            for _, box in running:
                box.stop()
    return 0
