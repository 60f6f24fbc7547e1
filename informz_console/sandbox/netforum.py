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

from informz_console.sandbox.handle import LoginHandle, command_line
from informz_console.sandbox.netforum_data import GenerateStats, generate
from informz_console.sandbox.netforum_soap import ENDPOINT_PATH, FaultPlan, NetforumSoapServer

DB_NAME = "netforum.db"


class NetforumSandbox(LoginHandle):
    LABEL = "netFORUM"
    DB_NAME = DB_NAME
    THREAD_NAME = "netforum-sandbox-soap"
    USERNAME = "informz_xweb"
    PASSWORD = "sandbox-netforum-pw"
    stats: GenerateStats | None
    _server: NetforumSoapServer | None

    _generate = staticmethod(generate)

    def _new_server(self, port: int) -> NetforumSoapServer:
        return NetforumSoapServer(port, self.db_path, self.USERNAME, self.PASSWORD)

    # -- connection settings -------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        return self.site_url + ENDPOINT_PATH

    @property
    def wsdl_url(self) -> str:
        return self.endpoint_url + "?WSDL"

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

    # -- test switches (latency: see SandboxHandle) --------------------------------------------
    def set_fault(
        self,
        mode: str | None,
        *,
        after_requests: int = 0,
        slow_s: float = 5.0,
        drop_after_bytes: int = 64 * 1024,
        times: int | None = None,
    ) -> None:
        """None | "refuse" (503) | "garbage" (malformed XML) | "slow" | "drop" (cut mid-body),
        after N good requests; for `times` requests only when given (then it recovers)."""
        self._set_faults(FaultPlan(mode, after_requests, slow_s, drop_after_bytes, times))

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

    # -- direct database access for tests (`execute`: see SandboxHandle) ----------------------
    def query_key(self, name: str) -> str:
        """The QueryKey of the messaging job query called `name`."""
        rows = self.execute("SELECT QueryKey FROM MessagingJobQuery WHERE QueryName = ?", (name,))
        if not rows:
            raise KeyError(f"No messaging job query called {name!r}.")
        return rows[0][0]


def main(argv: list[str] | None = None) -> None:
    command_line(
        NetforumSandbox,
        argv,
        module="informz_console.sandbox.netforum",
        server="SOAP server",
        banner=lambda sandbox: f"{sandbox.site_url} {sandbox.wsdl_url}",
    )


if __name__ == "__main__":
    main()
