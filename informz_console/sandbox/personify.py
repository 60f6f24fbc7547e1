"""A runnable Personify360: a SQLite database behind a Personify Data Services (OData v2) server on
127.0.0.1 with HTTP Basic auth.

    sandbox = PersonifySandbox.create(tmp_dir, members=2000, seed=1)
    with sandbox:                                    # starts the PDS server on a free port
        settings = sandbox.bridge_settings()         # a mapping for PersonifySettings.from_mapping
        sandbox.execute("UPDATE Customer SET AllowEmail = 0 WHERE MasterCustomerId = ?", (mid,))
        sandbox.regenerate("NEWMBR")                 # run MKT600 for one list

From a shell: `python -m informz_console.sandbox.personify create DIR --members 1000000` and
`python -m informz_console.sandbox.personify serve DIR --port 8090`.
"""

from __future__ import annotations

import argparse
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from informz_console.sandbox.personify_data import generate, regenerate
from informz_console.sandbox.personify_entities import SERVICE_PATH
from informz_console.sandbox.personify_http import FAIL_MODES, FaultPlan, PersonifyHttpServer
from informz_console.sandbox.personify_people import GenerateStats

DB_NAME = "personify.db"


class PersonifySandbox:
    USERNAME = "informz_pds"
    PASSWORD = "sandbox-personify-pw"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.stats: GenerateStats | None = None
        self._server: PersonifyHttpServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def create(
        cls,
        directory: str | Path,
        members: int = 5000,
        seed: int = 1,
        *,
        now: datetime | None = None,
    ) -> PersonifySandbox:
        """Generate a fresh database in `directory` (created if needed, any old one replaced).
        `members` is the number of CustomerInfos rows, sub-customers included."""
        sandbox = cls(directory)
        sandbox.directory.mkdir(parents=True, exist_ok=True)
        sandbox.stats = generate(sandbox.db_path, members=members, seed=seed, now=now)
        return sandbox

    @classmethod
    def open(cls, directory: str | Path) -> PersonifySandbox:
        sandbox = cls(directory)
        if not sandbox.db_path.is_file():
            raise FileNotFoundError(f"No Personify sandbox database at {sandbox.db_path}.")
        return sandbox

    # -- connection settings -------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.directory / DB_NAME

    @property
    def site_url(self) -> str:
        """The site root, e.g. http://127.0.0.1:8090 (the service is at `service_url`)."""
        server = self._running()
        host, port = server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def service_url(self) -> str:
        return self.site_url + SERVICE_PATH

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
        """A mapping for `PersonifySettings.from_mapping` pointing at this sandbox (started)."""
        settings: dict[str, object] = {
            "site_url": self.site_url,
            "username": self.username,
            "page_size": 1000,
            "timeout_s": 10.0,
            "member_join": "expand",
        }
        settings.update(overrides)
        return settings

    # -- server --------------------------------------------------------------------------------
    def _running(self) -> PersonifyHttpServer:
        if self._server is None:
            raise RuntimeError("The Personify sandbox server is not running; call start() first.")
        return self._server

    def start(self, port: int = 0) -> PersonifySandbox:
        if self._server is None:
            server = PersonifyHttpServer(port, self.db_path, self.USERNAME, self.PASSWORD)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="personify-sandbox-http",
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

    def __enter__(self) -> PersonifySandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- switches ------------------------------------------------------------------------------
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
        self._running().set_faults(FaultPlan(mode, after_requests, slow_s))

    @property
    def latency_s(self) -> float:
        return 0.0 if self._server is None else self._server.latency_s

    @latency_s.setter
    def latency_s(self, seconds: float) -> None:
        """Delay every request by this much, like a VPN round trip (for benchmarks)."""
        self._running().latency_s = max(0.0, float(seconds))

    @property
    def page_limit(self) -> int:
        return 0 if self._server is None else self._server.page_limit

    @page_limit.setter
    def page_limit(self, rows: int) -> None:
        """The most rows one response holds before `__next` (server-driven paging)."""
        if rows < 1:
            raise ValueError("The page limit must be at least 1.")
        self._running().page_limit = int(rows)

    # -- direct database access for tests -----------------------------------------------------
    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Run one statement in its own transaction (sqlite3) and return any rows."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            with conn:
                rows = conn.execute(sql, params).fetchall()
            return rows
        finally:
            conn.close()

    def regenerate(self, list_code: str, when: datetime | None = None) -> int:
        """Run MKT600 for one list: re-evaluate its rule, replace its members, stamp
        LastRegeneratedOn (`when`, default now). Returns the member count."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            with conn:
                return regenerate(conn, list_code, when or datetime.now(UTC))
        finally:
            conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m informz_console.sandbox.personify")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="generate a sandbox database")
    create.add_argument("directory")
    create.add_argument("--members", type=int, default=5000)
    create.add_argument("--seed", type=int, default=1)
    serve = commands.add_parser("serve", help="run the PDS server until interrupted")
    serve.add_argument("directory")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    serve.add_argument("--page-limit", type=int, default=0, help="rows per response")
    args = parser.parse_args(argv)
    if args.command == "create":
        stats = PersonifySandbox.create(args.directory, members=args.members, seed=args.seed).stats
        print(f"Created {args.directory}/{DB_NAME}: {stats}")
        return
    sandbox = PersonifySandbox.open(args.directory).start(args.port)
    sandbox.latency_s = args.latency
    if args.page_limit:
        sandbox.page_limit = args.page_limit
    print(f"{sandbox.site_url} {sandbox.username}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
