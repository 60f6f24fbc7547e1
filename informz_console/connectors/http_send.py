"""One HTTP request to an AMS, with every transport failure and the common status answers turned
into a ConnectorError with one sentence naming the AMS and the site (never a secret).

`AmsHttp` holds what the sentences name: the AMS ("iMIS"), the site as the user entered it and the
timeout. Connectors differ only in whether a sentence names the call ("did not answer the sign-in
within ..."), which the two `names_call...` flags choose, so that each keeps its wording.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from informz_console.connectors.errors import (
    ConfigError,
    ConnectorError,
    RemoteDataError,
    UnreachableError,
)

HttpClientFactory = Callable[[float], httpx.Client]
DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


def default_client(timeout_s: float, connections: int = 8) -> httpx.Client:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.Client(timeout=httpx.Timeout(timeout_s), limits=limits)


def status_text(status_code: int, reason: str) -> str:
    """`404 Not Found` (just `404` when there is no reason phrase)."""
    return f"{status_code} {reason}".strip()


@dataclass(frozen=True)
class AmsHttp:
    ams: str  # "iMIS", "Personify", ...
    site: str
    timeout_s: float
    names_call: bool = False  # timeouts and dropped connections name the call
    names_call_when_unusable: bool = False  # so do other transport failures

    def send(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        what: str = "",
        *,
        retry_dropped: bool = False,
        **kwargs,
    ) -> httpx.Response:
        """`client.request(method, url, **kwargs)`; a dropped connection is tried once more when
        `retry_dropped` (idempotent calls only); timeouts are never retried."""
        attempts = 2 if retry_dropped else 1
        for attempt in range(attempts):
            try:
                return client.request(method, url, **kwargs)
            except DROPPED as exc:
                if attempt + 1 < attempts:
                    continue
                raise self.transport_error(exc, what) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise self.transport_error(exc, what) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def transport_error(
        self, exc: httpx.HTTPError | httpx.InvalidURL, what: str = ""
    ) -> ConnectorError:
        call = f" the {what}" if self.names_call else ""
        to_call = f" to the {what}" if self.names_call else ""
        if isinstance(exc, httpx.TimeoutException):
            return UnreachableError(
                f"{self.ams} at {self.site} did not answer{call} within {self.timeout_s:g} "
                f"seconds; check that the site is up, or raise the bridge's timeout."
            )
        if isinstance(exc, httpx.ConnectError):
            return UnreachableError(
                f"{self.ams} at {self.site} could not be reached; check the site URL and that "
                f"the server is running."
            )
        if isinstance(exc, DROPPED):
            return UnreachableError(
                f"{self.ams} at {self.site} closed the connection before finishing its "
                f"answer{to_call}; try again."
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return ConfigError(
                f"The {self.ams} site URL {self.site} is not a usable web address; check the "
                f"bridge's site URL."
            )
        used_for = f" for the {what}" if self.names_call_when_unusable else ""
        return UnreachableError(
            f"{self.ams} at {self.site} could not be used{used_for} ({type(exc).__name__}); "
            f"try again."
        )

    def server_down(self, code: str, what: str) -> UnreachableError:
        """The error for a 5xx answer (`code`: see `status_text`)."""
        return UnreachableError(
            f"{self.ams} at {self.site} answered {code} to the {what}; it may be down or "
            f"restarting, try again later."
        )

    def unexpected_status(self, code: str, what: str) -> RemoteDataError:
        """The error for a status nothing else explains."""
        return RemoteDataError(
            f"{self.ams} at {self.site} answered {code} to the {what}; check the site URL."
        )
