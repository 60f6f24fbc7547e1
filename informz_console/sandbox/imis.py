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

from informz_console.sandbox.handle import LoginHandle, command_line
from informz_console.sandbox.imis_data import GenerateStats, generate
from informz_console.sandbox.imis_http import ImisHttpServer

DB_NAME = "imis.db"


class ImisSandbox(LoginHandle):
    LABEL = "iMIS"
    SERVER = "REST server"
    DB_NAME = DB_NAME
    THREAD_NAME = "imis-sandbox-http"
    USERNAME = "informz_sync"
    PASSWORD = "sandbox-imis-pw"
    stats: GenerateStats | None
    _server: ImisHttpServer | None

    _generate = staticmethod(generate)

    def _new_server(self, port: int) -> ImisHttpServer:
        return ImisHttpServer(port, self.db_path, self.USERNAME, self.PASSWORD)

    # -- connection settings -------------------------------------------------------------------
    @property
    def odbc_connection_string(self) -> str:
        return f"Driver=SQLite3;Database={self.db_path};"

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

    # -- test switches (faults and latency: see SandboxHandle) ---------------------------------
    def slow_activity_writes(self, rows_scanned: int | None) -> None:
        """Make every Activity insert scan `rows_scanned` rows first (a trigger in the database),
        so delivering a batch of writebacks over ODBC takes long enough to be interrupted in
        the middle; None removes the delay."""
        self.execute("DROP TRIGGER IF EXISTS Sandbox_Slow_Activity")
        if rows_scanned:
            self.execute(
                "CREATE TRIGGER Sandbox_Slow_Activity AFTER INSERT ON Activity BEGIN "
                f"SELECT COUNT(*) FROM (SELECT 1 FROM Name a, Name b LIMIT {int(rows_scanned)}); "
                "END"
            )

    def expire_tokens(self) -> None:
        """Forget every issued token: the next API call gets 401 (tests re-authentication)."""
        if self._server is not None:
            self._server.expire_tokens()


def main(argv: list[str] | None = None) -> None:
    command_line(
        ImisSandbox,
        argv,
        module="informz_console.sandbox.imis",
        server="REST server",
        banner=lambda sandbox: f"{sandbox.site_url} {sandbox.odbc_connection_string}",
    )


if __name__ == "__main__":
    main()
