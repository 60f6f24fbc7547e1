"""Ask for a password: never on the command line (it would sit in shell history and `ps`)."""

from __future__ import annotations

import getpass
import sys

from informz_console.cli.context import CliContext
from informz_console.cli.output import err
from informz_console.sync.bridges import bridge_secret_name


def ask_secret(prompt: str) -> str:
    """getpass at a terminal; one line of standard input for scripts (`... < pwfile`)."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def store_secret(ctx: CliContext, name: str, secret: str) -> None:
    ctx.credentials.set(name, secret)
    if ctx.credentials.notice:
        err(ctx.credentials.notice)


def ensure_secret(ctx: CliContext, bridge: str) -> None:
    """When this session has no password for the bridge, ask at a terminal, or read one line
    of standard input (a scheduled run on a box without a keyring: `... < pwfile`). Nothing
    given: the run then fails with the sentence that says how to store one."""
    name = bridge_secret_name(ctx.engine, bridge)
    if ctx.credentials.get(name) is not None:
        return
    secret = ask_secret(f"Password for bridge {bridge}: ")
    if secret:
        ctx.credentials.set(name, secret)
