"""`preferences link EMAIL --bridge B [--hours 72] [--base-url URL]` and
`preferences serve [--host 127.0.0.1] [--port 8765]`: the IPM preference form (seed 004).

`link` prints the URL of one subscriber's form, signed and expiring (the signing key is made
once per mirror and kept in the OS keyring, never in the mirror). `serve` runs the local web
server that shows and saves the form until interrupted (Ctrl+C). Both need a secure keyring:
links must outlive the process that made them.
"""

from __future__ import annotations

import argparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json, err
from informz_console.cli.secrets_prompt import ensure_secret
from informz_console.store.models import Bridge
from informz_console.sync.preferences import make_link
from informz_console.sync.preferences_server import PreferenceServer
from informz_console.sync.preferences_token import NoLastingKey, signing_key

DEFAULT_PORT = 8765


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("preferences", help="IPM preference form: signed links, local server")
    actions = cmd.add_subparsers(dest="preferences_action", required=True, metavar="ACTION")
    link = actions.add_parser("link", help="print a subscriber's signed, expiring form link")
    link.add_argument("email")
    link.add_argument("--bridge", required=True, help="the iMIS bridge whose interests to show")
    link.add_argument("--hours", type=float, default=72, help="how long the link works (72)")
    link.add_argument("--base-url", default=f"http://127.0.0.1:{DEFAULT_PORT}",
                      help="where `preferences serve` answers")
    link.set_defaults(run=run_link)
    serve = actions.add_parser("serve", help="serve the preference form until interrupted")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.set_defaults(run=run_serve)


def _one_sentence(error: NoLastingKey) -> int:
    err(str(error))
    return 1


def run_link(ctx: CliContext, args: argparse.Namespace) -> int:
    try:
        url = make_link(ctx.engine, ctx.credentials, ctx.clock, args.email, args.bridge,
                        args.base_url, args.hours)  # fmt: skip
    except NoLastingKey as error:
        return _one_sentence(error)
    if ctx.json:
        emit_json({"url": url, "hours": args.hours})
    else:
        print(url)
    return 0


def run_serve(ctx: CliContext, args: argparse.Namespace) -> int:
    try:
        signing_key(ctx.engine, ctx.credentials, lasting=True)
    except NoLastingKey as error:
        return _one_sentence(error)
    with Session(ctx.engine) as session:
        names = list(session.scalars(select(Bridge.name).where(Bridge.kind == "imis")))
    for name in names:  # the form reads and writes iMIS: its password, asked once here
        ensure_secret(ctx, name)
    server = PreferenceServer(ctx.engine, ctx.credentials, ctx.clock, host=args.host,
                              port=args.port)  # fmt: skip
    print(f"Serving the preference form at {server.url} (Ctrl+C stops).", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0
