"""`bridge add|list|test|login`."""

from __future__ import annotations

import argparse

from informz_console.cli.context import CliContext
from informz_console.cli.output import emit_json, table
from informz_console.cli.secrets_prompt import ask_secret, ensure_secret, store_secret
from informz_console.sync.bridges import (
    BridgeSpec,
    bridge_secret_name,
    discover_interests,
    list_bridges,
    save_bridge,
    test_bridge,
)

SETTING_FLAGS = {  # flag -> settings key, per the connectors' settings
    "site": "site_url", "odbc": "connection_string", "user": "username",
    "ud_table": "ud_table", "page_size": "page_size",
}


def register(sub: argparse._SubParsersAction) -> None:
    bridge = sub.add_parser("bridge", help="add, list and test bridges to AMS endpoints")
    actions = bridge.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add or update a bridge (asks for its password)")
    add.add_argument("name")
    add.add_argument("--kind", required=True, choices=["imis", "personify", "netforum", "idss"])
    add.add_argument("--site", help="the AMS web address (iMIS REST, PDS, xWeb, iDSS)")
    add.add_argument("--odbc", help="iMIS: ODBC connection string, without the password")
    add.add_argument("--user", help="user name for the AMS")
    add.add_argument("--ud-table", dest="ud_table", help="iMIS: UD table for IPM opt-outs")
    add.add_argument("--page-size", dest="page_size", type=int)
    add.add_argument("--remote-interest", dest="remote_interests", action="append",
                     metavar="TABLE.FIELD", help="iMIS IPM: a UD checkbox field that becomes an "
                     "interest group (repeatable; `bridge interests NAME` lists them)")
    add.add_argument("--accepted", default="A", help="accepted status codes, e.g. A,AF or A*")
    add.add_argument("--email-source", default="name", help="'name' or 'address:PURPOSE'")
    add.add_argument("--inactive", action="store_true", help="add it switched off")
    add.add_argument("--no-password", action="store_true", help="do not ask for a password now")
    add.set_defaults(run=run_add, creates_mirror=True)
    actions.add_parser("list", help="the bridges in this mirror").set_defaults(run=run_list)
    test = actions.add_parser("test", help="connect and report what answered")
    test.add_argument("name")
    test.set_defaults(run=run_test)
    interests = actions.add_parser("interests", help="iMIS IPM: the UD checkbox fields that "
                                   "can become remote interests")
    interests.add_argument("name")
    interests.set_defaults(run=run_interests)
    login = actions.add_parser("login", help="enter (or change) a bridge's password")
    login.add_argument("name")
    login.set_defaults(run=run_login)


def run_add(ctx: CliContext, args: argparse.Namespace) -> int:
    settings = {key: getattr(args, flag) for flag, key in SETTING_FLAGS.items()
                if getattr(args, flag) is not None}
    if args.remote_interests:
        settings["remote_interests"] = args.remote_interests
    spec = BridgeSpec(args.kind, args.name, settings, args.accepted, args.email_source,
                      active=not args.inactive)
    name = save_bridge(ctx.engine, spec, ctx.clock)
    if not args.no_password:
        store_secret(ctx, name, ask_secret(f"Password for bridge {args.name}: "))
    print(f"Bridge {args.name!r} ({args.kind}) saved in {ctx.mirror}.")
    return 0


def run_list(ctx: CliContext, args: argparse.Namespace) -> int:
    bridges = list_bridges(ctx.engine, ctx.credentials)
    if ctx.json:
        emit_json(bridges)
        return 0
    if not bridges:
        print("No bridges yet: `informz-console bridge add NAME --kind imis ...` adds one.")
        return 0
    print(table(["name", "kind", "active", "groups", "list refreshed", "password", "endpoint"],
                [[b.name, b.kind, "yes" if b.active else "no", b.groups, b.last_list_refresh_at,
                  "stored" if b.has_secret else "missing", b.settings.get("site_url", "")]
                 for b in bridges]))
    return 0


def run_test(ctx: CliContext, args: argparse.Namespace) -> int:
    ensure_secret(ctx, args.name)
    sentence = test_bridge(ctx.engine, args.name, ctx.credentials)
    if ctx.json:
        emit_json({"bridge": args.name, "ok": True, "message": sentence})
    else:
        print(sentence)
    return 0


def run_login(ctx: CliContext, args: argparse.Namespace) -> int:
    name = bridge_secret_name(ctx.engine, args.name)
    store_secret(ctx, name, ask_secret(f"Password for bridge {args.name}: "))
    print(f"Password for {args.name!r} stored"
          + (" for this session." if not ctx.credentials.secure else " in the keyring."))
    return 0


def run_interests(ctx: CliContext, args: argparse.Namespace) -> int:
    ensure_secret(ctx, args.name)
    fields = discover_interests(ctx.engine, args.name, ctx.credentials)
    if ctx.json:
        emit_json(fields)
    elif not fields:
        print("No checkbox fields in the UD tables this bridge looks at (its UD table setting).")
    else:
        print("Checkbox fields that can be remote interests (choose with "
              "`bridge add ... --remote-interest TABLE.FIELD`):")
        for field in fields:
            print(f"  {field}")
    return 0
