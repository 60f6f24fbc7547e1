"""A runnable netFORUM Pro: a SQLite file of customers and messaging job queries behind an xWeb
SOAP 1.1 server (token rotation, ExecuteMethod InformzSync) on 127.0.0.1.

    sandbox = NetforumSandbox.create(tmp_dir, members=2000, seed=1)
    with sandbox:                                   # starts the SOAP server on a free port
        settings = sandbox.bridge_settings()        # a mapping for NetforumSettings.from_mapping
        sandbox.execute("UPDATE Customer SET DoNotEmail = 1 WHERE RecordNumber = ?", (100001,))

From a shell: `python -m informz_console.sandbox.netforum create DIR --members 1000000` and
`python -m informz_console.sandbox.netforum serve DIR --port 8090`.
"""

from __future__ import annotations

import argparse
import sqlite3
import threading
from pathlib import Path
from types import TracebackType

from informz_console.sandbox.netforum_data import GenerateStats, generate
from informz_console.sandbox.netforum_soap import (
    ENDPOINT_PATH,
    FAIL_MODES,
    FaultPlan,
    NetforumSoapServer,
)

DB_NAME = "netforum.db"


class NetforumSandbox:
    USERNAME = "informz_xweb"
    PASSWORD = "sandbox-netforum-pw"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.stats: GenerateStats | None = None
        self._server: NetforumSoapServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def create(cls, directory: str | Path, members: int = 5000, seed: int = 1) -> NetforumSandbox:
        """Generate a fresh database in `directory` (created if needed, any old one replaced)."""
        sandbox = cls(directory)
        sandbox.directory.mkdir(parents=True, exist_ok=True)
        sandbox.stats = generate(sandbox.db_path, members=members, seed=seed)
        return sandbox

    @classmethod
    def open(cls, directory: str | Path) -> NetforumSandbox:
        sandbox = cls(directory)
        if not sandbox.db_path.is_file():
            raise FileNotFoundError(f"No netFORUM sandbox database at {sandbox.db_path}.")
        return sandbox

    # -- connection settings -------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.directory / DB_NAME

    def _running(self) -> NetforumSoapServer:
        if self._server is None:
            raise RuntimeError("The netFORUM sandbox server is not running; call start() first.")
        return self._server

    @property
    def site_url(self) -> str:
        host, port = self._running().server_address[:2]
        return f"http://{host}:{port}"

    @property
    def endpoint_url(self) -> str:
        return self.site_url + ENDPOINT_PATH

    @property
    def wsdl_url(self) -> str:
        return self.endpoint_url + "?WSDL"

    @property
    def username(self) -> str:
        return self.USERNAME

    @property
    def password(self) -> str:
        return self.PASSWORD

    @property
    def running(self) -> bool:
        return self._server is not None

    def bridge_settings(self, **overrides: object) -> dict[str, object]:
        """A mapping for `NetforumSettings.from_mapping` pointing at this sandbox (started)."""
        settings: dict[str, object] = {
            "site_url": self.site_url,
            "username": self.username,
            "page_size": 500,
            "timeout_s": 10.0,
        }
        settings.update(overrides)
        return settings

    # -- SOAP server ---------------------------------------------------------------------------
    def start(self, port: int = 0) -> NetforumSandbox:
        if self._server is None:
            server = NetforumSoapServer(port, self.db_path, self.USERNAME, self.PASSWORD)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="netforum-sandbox-soap",
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

    def __enter__(self) -> NetforumSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- fault switches (see netforum_soap) ----------------------------------------------------
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
        drop_after_bytes: int = 64 * 1024,
    ) -> None:
        """None | "refuse" (503) | "garbage" (malformed XML) | "slow" | "drop" (cut mid-body),
        after N good requests."""
        if mode not in FAIL_MODES:
            raise ValueError(f"Unknown fail mode {mode!r}; use one of {FAIL_MODES}.")
        self._running().set_faults(FaultPlan(mode, after_requests, slow_s, drop_after_bytes))

    @property
    def latency_s(self) -> float:
        return 0.0 if self._server is None else self._server.latency_s

    @latency_s.setter
    def latency_s(self, seconds: float) -> None:
        """Delay every request by this much, like a VPN round trip (for benchmarks)."""
        self._running().latency_s = max(0.0, float(seconds))

    def expire_tokens(self) -> None:
        """Forget every issued token: the next ExecuteMethod gets an InvalidToken fault."""
        if self._server is not None:
            self._server.tokens.clear()

    @property
    def calls(self) -> list[tuple[str, str]]:
        """The SOAP calls received so far, refused ones too, oldest first: ("Authenticate", "")
        or ("ExecuteMethod", methodName)."""
        return [] if self._server is None else list(self._server.calls)

    def clear_calls(self) -> None:
        if self._server is not None:
            self._server.calls.clear()

    # -- direct database access for tests -----------------------------------------------------
    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Run one statement in its own transaction (sqlite3) and return any rows."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            with conn:
                return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def query_key(self, name: str) -> str:
        """The QueryKey of the messaging job query called `name`."""
        rows = self.execute("SELECT QueryKey FROM MessagingJobQuery WHERE QueryName = ?", (name,))
        if not rows:
            raise KeyError(f"No messaging job query called {name!r}.")
        return rows[0][0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m informz_console.sandbox.netforum")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="generate a sandbox database")
    create.add_argument("directory")
    create.add_argument("--members", type=int, default=5000)
    create.add_argument("--seed", type=int, default=1)
    serve = commands.add_parser("serve", help="run the SOAP server until interrupted")
    serve.add_argument("directory")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    args = parser.parse_args(argv)
    if args.command == "create":
        stats = NetforumSandbox.create(args.directory, members=args.members, seed=args.seed).stats
        print(f"Created {args.directory}/{DB_NAME}: {stats}")
        return
    sandbox = NetforumSandbox.open(args.directory).start(args.port)
    sandbox.latency_s = args.latency
    print(f"{sandbox.site_url} {sandbox.wsdl_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
