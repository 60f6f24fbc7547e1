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

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from informz_console.sandbox.handle import LoginHandle, command_line
from informz_console.sandbox.personify_data import generate, regenerate
from informz_console.sandbox.personify_entities import SERVICE_PATH
from informz_console.sandbox.personify_http import PersonifyHttpServer
from informz_console.sandbox.personify_people import GenerateStats

DB_NAME = "personify.db"


class PersonifySandbox(LoginHandle):
    LABEL = "Personify"
    DB_NAME = DB_NAME
    THREAD_NAME = "personify-sandbox-http"
    USERNAME = "informz_pds"
    PASSWORD = "sandbox-personify-pw"
    stats: GenerateStats | None
    _server: PersonifyHttpServer | None

    _generate = staticmethod(generate)

    def _new_server(self, port: int) -> PersonifyHttpServer:
        return PersonifyHttpServer(port, self.db_path, self.USERNAME, self.PASSWORD)

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
        return cls._generated(directory, members=members, seed=seed, now=now)

    # -- connection settings -------------------------------------------------------------------
    @property
    def service_url(self) -> str:
        """The service root below `site_url` (the site root, e.g. http://127.0.0.1:8090)."""
        return self.site_url + SERVICE_PATH

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

    # -- switches (faults and latency: see SandboxHandle) --------------------------------------
    @property
    def page_limit(self) -> int:
        return 0 if self._server is None else self._server.page_limit

    @page_limit.setter
    def page_limit(self, rows: int) -> None:
        """The most rows one response holds before `__next` (server-driven paging)."""
        if rows < 1:
            raise ValueError("The page limit must be at least 1.")
        self._running().page_limit = int(rows)

    # -- direct database access for tests (`execute`: see SandboxHandle) ----------------------
    def regenerate(self, list_code: str, when: datetime | None = None) -> int:
        """Run MKT600 for one list: re-evaluate its rule, replace its members, stamp
        LastRegeneratedOn (`when`, default now). Returns the member count."""
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            with conn:
                return regenerate(conn, list_code, when or datetime.now(UTC))
        finally:
            conn.close()


def _page_limit_option(serve) -> None:
    serve.add_argument("--page-limit", type=int, default=0, help="rows per response")


def _apply_page_limit(sandbox: PersonifySandbox, args) -> None:
    if args.page_limit:
        sandbox.page_limit = args.page_limit


def main(argv: list[str] | None = None) -> None:
    command_line(
        PersonifySandbox,
        argv,
        module="informz_console.sandbox.personify",
        server="PDS server",
        banner=lambda sandbox: f"{sandbox.site_url} {sandbox.username}",
        serve_options=_page_limit_option,
        configure=_apply_page_limit,
    )


if __name__ == "__main__":
    main()
