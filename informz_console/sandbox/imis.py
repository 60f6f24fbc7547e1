"""A runnable iMIS: a SQLite database the connector reaches through the real SQLite3 ODBC driver,
plus the REST server (token + IQA) on 127.0.0.1.

    sandbox = ImisSandbox.create(tmp_dir, members=2000, seed=1)
    with sandbox:                                   # starts the REST server on a free port
        settings = sandbox.bridge_settings()        # a mapping for ImisSettings.from_mapping
        sandbox.execute("UPDATE Name SET EMAIL = ? WHERE ID = ?", ("new@x.org", "100001"))

From a shell: `python -m informz_console.sandbox.imis create DIR --members 1000000` and
`python -m informz_console.sandbox.imis serve DIR --port 8089`.
"""

from __future__ import annotations

import argparse
import sqlite3
import threading
from pathlib import Path
from types import TracebackType

from informz_console.sandbox.imis_data import GenerateStats, generate
from informz_console.sandbox.imis_http import FAIL_MODES, FaultPlan, ImisHttpServer

DB_NAME = "imis.db"


class ImisSandbox:
    USERNAME = "informz_sync"
    PASSWORD = "sandbox-imis-pw"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.stats: GenerateStats | None = None
        self._server: ImisHttpServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def create(cls, directory: str | Path, members: int = 5000, seed: int = 1) -> ImisSandbox:
        """Generate a fresh database in `directory` (created if needed, any old one replaced)."""
        sandbox = cls(directory)
        sandbox.directory.mkdir(parents=True, exist_ok=True)
        sandbox.stats = generate(sandbox.db_path, members=members, seed=seed)
        return sandbox

    @classmethod
    def open(cls, directory: str | Path) -> ImisSandbox:
        sandbox = cls(directory)
        if not sandbox.db_path.is_file():
            raise FileNotFoundError(f"No iMIS sandbox database at {sandbox.db_path}.")
        return sandbox

    # -- connection settings -------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.directory / DB_NAME

    @property
    def odbc_connection_string(self) -> str:
        return f"Driver=SQLite3;Database={self.db_path};"

    @property
    def site_url(self) -> str:
        if self._server is None:
            raise RuntimeError("The iMIS sandbox REST server is not running; call start() first.")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

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
        """A mapping for `ImisSettings.from_mapping` pointing at this sandbox (server started)."""
        settings: dict[str, object] = {
            "connection_string": self.odbc_connection_string,
            "site_url": self.site_url,
            "username": self.username,
            "accepted_statuses": ["A"],
            "email_source": "name",
            "page_size": 500,
            "ud_table": "Informz_Preferences",
            "ud_table_prefix": "Informz_",
            "timeout_s": 10.0,
        }
        settings.update(overrides)
        return settings

    # -- REST server ---------------------------------------------------------------------------
    def start(self, port: int = 0) -> ImisSandbox:
        if self._server is None:
            server = ImisHttpServer(port, self.db_path, self.USERNAME, self.PASSWORD)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="imis-sandbox-http",
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

    def __enter__(self) -> ImisSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- fault switches (see imis_http) --------------------------------------------------------
    @property
    def fail_mode(self) -> str | None:
        return None if self._server is None else self._server.faults.mode

    @fail_mode.setter
    def fail_mode(self, mode: str | None) -> None:
        self.set_fault(mode)

    def set_fault(self, mode: str | None, *, after_requests: int = 0, slow_s: float = 5.0) -> None:
        """None | "refuse" (503) | "garbage" (HTML 200) | "slow" | "drop", after N good requests."""
        if mode not in FAIL_MODES:
            raise ValueError(f"Unknown fail mode {mode!r}; use one of {FAIL_MODES}.")
        if self._server is None:
            raise RuntimeError("The iMIS sandbox REST server is not running; call start() first.")
        self._server.set_faults(FaultPlan(mode, after_requests, slow_s))

    @property
    def latency_s(self) -> float:
        return 0.0 if self._server is None else self._server.latency_s

    @latency_s.setter
    def latency_s(self, seconds: float) -> None:
        """Delay every request by this much, like a VPN round trip (for benchmarks)."""
        if self._server is None:
            raise RuntimeError("The iMIS sandbox REST server is not running; call start() first.")
        self._server.latency_s = max(0.0, float(seconds))

    def expire_tokens(self) -> None:
        """Forget every issued token: the next API call gets 401 (tests re-authentication)."""
        if self._server is not None:
            self._server.expire_tokens()

    # -- direct database access for tests (fires the triggers) --------------------------------
    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Run one statement in its own transaction (sqlite3) and return any rows."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            with conn:
                rows = conn.execute(sql, params).fetchall()
            return rows
        finally:
            conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m informz_console.sandbox.imis")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="generate a sandbox database")
    create.add_argument("directory")
    create.add_argument("--members", type=int, default=5000)
    create.add_argument("--seed", type=int, default=1)
    serve = commands.add_parser("serve", help="run the REST server until interrupted")
    serve.add_argument("directory")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    args = parser.parse_args(argv)
    if args.command == "create":
        stats = ImisSandbox.create(args.directory, members=args.members, seed=args.seed).stats
        print(f"Created {args.directory}/{DB_NAME}: {stats}")
        return
    sandbox = ImisSandbox.open(args.directory).start(args.port)
    sandbox.latency_s = args.latency
    print(f"{sandbox.site_url} {sandbox.odbc_connection_string}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
