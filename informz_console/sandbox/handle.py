"""What every sandbox handle does the same way: a directory holding one SQLite file, a fault
server (see `fault_http`) run on a daemon thread, the fault and latency switches, and the
`python -m informz_console.sandbox.<ams> create|serve` command line.

A subclass names its AMS and database file, says how to generate the database (`_generate`) and
how to build its server (`_new_server`), and adds its own settings and test hooks.
"""

from __future__ import annotations

import argparse
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self

from informz_console.sandbox.fault_http import FAIL_MODES, FaultPlan, FaultServer


class SandboxHandle:
    LABEL: ClassVar[str]  # the AMS as messages name it: "iMIS"
    SERVER: ClassVar[str] = "server"  # as "not running" names it: "REST server"
    DB_NAME: ClassVar[str]  # the database file in the directory
    THREAD_NAME: ClassVar[str]  # the server thread's name

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.stats: Any = None
        self._server: Any = None  # the subclass's FaultServer while running
        self._thread: threading.Thread | None = None

    # -- to fill in ----------------------------------------------------------------------------
    @staticmethod
    def _generate(path: Path, **options: Any) -> Any:
        """Write a fresh database at `path`; returns the generator's stats."""
        raise NotImplementedError

    def _new_server(self, port: int) -> FaultServer:
        raise NotImplementedError

    # -- creating and opening ------------------------------------------------------------------
    @classmethod
    def create(cls, directory: str | Path, members: int = 5000, seed: int = 1) -> Self:
        """Generate a fresh database in `directory` (created if needed, any old one replaced)."""
        return cls._generated(directory, members=members, seed=seed)

    @classmethod
    def _generated(cls, directory: str | Path, **options: Any) -> Self:
        sandbox = cls(directory)
        sandbox.directory.mkdir(parents=True, exist_ok=True)
        sandbox.stats = cls._generate(sandbox.db_path, **options)
        return sandbox

    @classmethod
    def open(cls, directory: str | Path) -> Self:
        sandbox = cls(directory)
        if not sandbox.db_path.is_file():
            raise FileNotFoundError(f"No {cls.LABEL} sandbox database at {sandbox.db_path}.")
        return sandbox

    # -- connection settings -------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.directory / self.DB_NAME

    @property
    def site_url(self) -> str:
        host, port = self._running().server_address[:2]
        return f"http://{host}:{port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- server --------------------------------------------------------------------------------
    def _running(self) -> Any:
        if self._server is None:
            raise RuntimeError(
                f"The {self.LABEL} sandbox {self.SERVER} is not running; call start() first."
            )
        return self._server

    def start(self, port: int = 0) -> Self:
        if self._server is None:
            server = self._new_server(port)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=self.THREAD_NAME,
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.stop()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- fault switches (see fault_http) -------------------------------------------------------
    @property
    def fail_mode(self) -> str | None:
        return None if self._server is None else self._server.faults.mode

    @fail_mode.setter
    def fail_mode(self, mode: str | None) -> None:
        self.set_fault(mode)

    def set_fault(
        self,
        mode: str | None,
        *,
        after_requests: int = 0,
        slow_s: float = 5.0,
        times: int | None = None,
    ) -> None:
        """None | "refuse" (503) | "garbage" (HTML 200) | "slow" | "drop", after N good requests;
        for `times` requests only when given (then the server recovers)."""
        self._set_faults(FaultPlan(mode, after_requests, slow_s, times=times))

    def _set_faults(self, plan: FaultPlan) -> None:
        if plan.mode not in FAIL_MODES:
            raise ValueError(f"Unknown fail mode {plan.mode!r}; use one of {FAIL_MODES}.")
        self._running().set_faults(plan)

    @property
    def requests_received(self) -> int:
        """Every request the server received since it started, faulted ones too."""
        return 0 if self._server is None else self._server.received

    @property
    def latency_s(self) -> float:
        return 0.0 if self._server is None else self._server.latency_s

    @latency_s.setter
    def latency_s(self, seconds: float) -> None:
        """Delay every request by this much, like a WAN round trip (for benchmarks)."""
        self._running().latency_s = max(0.0, float(seconds))

    # -- direct database access for tests -----------------------------------------------------
    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Run one statement in its own transaction (sqlite3) and return any rows."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            with conn:
                return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


class LoginHandle(SandboxHandle):
    """A sandbox whose server takes a user name and password (the sandbox's own)."""

    USERNAME: ClassVar[str]
    PASSWORD: ClassVar[str]

    @property
    def username(self) -> str:
        return self.USERNAME

    @property
    def password(self) -> str:
        return self.PASSWORD


def command_line(
    handle: type[SandboxHandle],
    argv: list[str] | None,
    *,
    module: str,
    server: str,
    banner: Callable[[Any], str],
    members_help: str | None = None,
    serve_options: Callable[[argparse.ArgumentParser], None] | None = None,
    configure: Callable[[Any, argparse.Namespace], None] | None = None,
) -> None:
    """`create DIR [--members N] [--seed S]` or `serve DIR [--port P] [--latency S]`: serve
    prints `banner(sandbox)` once listening and runs until interrupted. `serve_options` adds
    options to serve, `configure` applies them to the started sandbox."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="generate a sandbox database")
    create.add_argument("directory")
    create.add_argument("--members", type=int, default=5000, help=members_help)
    create.add_argument("--seed", type=int, default=1)
    serve = commands.add_parser("serve", help=f"run the {server} until interrupted")
    serve.add_argument("directory")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    if serve_options is not None:
        serve_options(serve)
    args = parser.parse_args(argv)
    if args.command == "create":
        stats = handle.create(args.directory, members=args.members, seed=args.seed).stats
        print(f"Created {args.directory}/{handle.DB_NAME}: {stats}")
        return
    sandbox = handle.open(args.directory).start(args.port)
    sandbox.latency_s = args.latency
    if configure is not None:
        configure(sandbox, args)
    print(banner(sandbox), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
