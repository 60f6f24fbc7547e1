"""A runnable iDSS: a SQLite database of contacts and distribution lists behind the iDSS REST
JSON API (see `idss_http` for the wire contract) on 127.0.0.1.

    sandbox = IdssSandbox.create(tmp_dir, members=2000, seed=1)
    with sandbox:                                   # starts the REST server on a free port
        settings = sandbox.bridge_settings()        # a mapping for IdssSettings.from_mapping
        sandbox.change_contact(500001, email="new@x.org", remove_lists=[3])
        sandbox.fail_patch(500002, "Subscriber email is already in use (code 1062)")

From a shell: `python -m informz_console.sandbox.idss create DIR --members 1000000` and
`python -m informz_console.sandbox.idss serve DIR --port 8090` (prints the site URL and the key).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from informz_console.sandbox import idss_edit
from informz_console.sandbox.handle import SandboxHandle, command_line
from informz_console.sandbox.idss_data import (
    BOARD_LIST,
    EVERYONE_LIST,
    LISTS,
    GenerateStats,
    generate,
)
from informz_console.sandbox.idss_db import CONTACT_COLUMNS, contact_json
from informz_console.sandbox.idss_http import API, IdssHttpServer

__all__ = ["BOARD_LIST", "DB_NAME", "EVERYONE_LIST", "LISTS", "IdssSandbox", "RecordedPatch"]

DB_NAME = "idss.db"
UNSET = idss_edit.UNSET


@dataclass(frozen=True)
class RecordedPatch:
    """A PATCH the sandbox API received: what was sent and what it answered."""

    method: str
    path: str  # e.g. /api/v1/contacts/500001
    body: str  # the JSON text exactly as received
    status: int
    error: str | None  # the error text answered, None on success


class IdssSandbox(SandboxHandle):
    LABEL = "iDSS"
    SERVER = "REST server"
    DB_NAME = DB_NAME
    THREAD_NAME = "idss-sandbox-http"
    API_KEY = "sandbox-idss-key-6f1d2c"
    stats: GenerateStats | None
    _server: IdssHttpServer | None

    _generate = staticmethod(generate)

    def _new_server(self, port: int) -> IdssHttpServer:
        return IdssHttpServer(port, self.db_path, self.API_KEY)

    # -- connection settings -------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return self.site_url + API

    @property
    def api_key(self) -> str:
        return self.API_KEY

    def bridge_settings(self, **overrides: object) -> dict[str, object]:
        """A mapping for `IdssSettings.from_mapping` pointing at this sandbox (server started)."""
        settings: dict[str, object] = {
            "site_url": self.site_url,
            "page_size": 500,
            "timeout_s": 10.0,
        }
        settings.update(overrides)
        return settings

    # -- per-contact PATCH failures (seed 002: "the XML call and system error") ---------------
    def fail_patch(self, contact_id: int, system_error: str | None, status: int = 500) -> None:
        """Make every PATCH of this contact answer `status` with `system_error` (None: heal)."""
        if system_error is None:
            self.execute("DELETE FROM patch_failures WHERE contact_id = ?", (contact_id,))
        else:
            self.execute(
                "INSERT OR REPLACE INTO patch_failures VALUES (?, ?, ?)",
                (contact_id, status, system_error),
            )

    def patches(self) -> list[RecordedPatch]:
        """Every PATCH the API received, oldest first."""
        rows = self.execute("SELECT method, path, body, status, error FROM patch_log ORDER BY n")
        return [RecordedPatch(*row) for row in rows]

    # -- changing iDSS as its users do (each save appends to the change feed) -----------------
    def change_contact(
        self,
        contact_id: int,
        *,
        email: str | None | object = UNSET,
        first_name: str | None | object = UNSET,
        last_name: str | None | object = UNSET,
        company: str | None | object = UNSET,
        active: bool | None = None,
        add_lists: Iterable[int] = (),
        remove_lists: Iterable[int] = (),
    ) -> list[int]:
        """Save a contact (see `idss_edit`); returns the change-feed seqs the save appended."""
        fields = {"email": email, "first_name": first_name, "last_name": last_name,
                  "company": company}  # fmt: skip
        with self._connection() as conn:
            return idss_edit.change_contact(
                conn,
                contact_id,
                fields=fields,
                active=active,
                add_lists=add_lists,
                remove_lists=remove_lists,
            )

    def add_contact(
        self,
        email: str | None,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        company: str | None = None,
        lists: Iterable[int] = (EVERYONE_LIST,),
        active: bool = True,
    ) -> int:
        """A new contact on `lists` (a 'created' change); returns its id."""
        with self._connection() as conn:
            contact_id, _ = idss_edit.add_contact(
                conn, email=email, first_name=first_name, last_name=last_name,
                company=company, lists=lists, active=active,
            )  # fmt: skip
        return contact_id

    def recheck_list(self, contact_id: int, list_id: int) -> list[int]:
        """Uncheck the list on the contact and save, then recheck it and save (seed 002: this
        forces a resync of the contact). Returns the two seqs."""
        removed = self.change_contact(contact_id, remove_lists=[list_id])
        return removed + self.change_contact(contact_id, add_lists=[list_id])

    def contact(self, contact_id: int) -> dict | None:
        """The contact as the API shows it (None when there is no such contact)."""
        rows = self.execute(f"SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.id = ?",
                            (contact_id,))  # fmt: skip
        return contact_json(rows[0]) if rows else None

    def latest_seq(self) -> int:
        return int(self.execute("SELECT COALESCE(MAX(seq), 0) FROM changes")[0][0])

    # -- direct database access for tests -----------------------------------------------------
    def _connection(self):
        return _Transaction(self.db_path)

    def execute(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Run one statement in its own transaction (sqlite3) and return any rows."""
        with self._connection() as conn:
            return conn.execute(sql, params).fetchall()


class _Transaction:
    """A connection whose `with` block is one transaction, closed afterwards."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, timeout=30, isolation_level=None)

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            self._conn.close()


def main(argv: list[str] | None = None) -> None:
    command_line(
        IdssSandbox,
        argv,
        module="informz_console.sandbox.idss",
        server="REST server",
        banner=lambda sandbox: f"{sandbox.site_url} {sandbox.api_key}",
        members_help="number of contacts",
    )


if __name__ == "__main__":
    main()
