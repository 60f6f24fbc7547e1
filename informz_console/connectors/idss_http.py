"""HTTP to the iDSS REST API: the `X-Api-Key` header on every call, answers checked, and every
failure turned into a ConnectorError with one sentence that never contains the key.

- A call whose connection drops is retried once (a stale keep-alive connection is common; GET and
  the informz code PATCH are both idempotent); timeouts are not retried.
- `get_json` checks the status and that the answer is a JSON object; `send` hands back the raw
  response for callers that read error answers themselves (the PATCH).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from informz_console.connectors.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RemoteDataError,
    UnreachableError,
)
from informz_console.connectors.idss_settings import IdssSettings

HttpClientFactory = Callable[[float], httpx.Client]
API_KEY_HEADER = "X-Api-Key"


def default_client(timeout_s: float) -> httpx.Client:
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    return httpx.Client(timeout=httpx.Timeout(timeout_s), limits=limits)


class IdssHttpClient:
    def __init__(
        self,
        settings: IdssSettings,
        api_key: str,
        client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.site = settings.site_url
        self.api = settings.api_url
        self._timeout_s = settings.timeout_s
        self._headers = {API_KEY_HEADER: api_key, "Accept": "application/json"}
        self._client = (client_factory or default_client)(settings.timeout_s)

    def close(self) -> None:
        self._client.close()

    def api_path(self, path: str) -> str:
        """The path from the site root, e.g. `/api/v1/contacts/1` (what a SentRequest shows)."""
        return self.api[len(self.site) :] + path

    # -- calls ---------------------------------------------------------------------------------
    def get_json(
        self,
        path: str,
        what: str,
        params: dict[str, object] | None = None,
        *,
        not_found: str | None = None,
    ) -> dict:
        """GET `{api}{path}`; 404 raises ConfigError(`not_found`) when given."""
        response = self.send("GET", path, params=params)
        if response.status_code == 404 and not_found:
            raise ConfigError(not_found)
        if response.status_code != 200:
            raise self.status_error(response, what)
        return self.json(response, what)

    def send(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs
    ) -> httpx.Response:
        url = self.api + path
        headers = {**self._headers, **(headers or {})}
        for attempt in range(2):
            try:
                return self._client.request(method, url, headers=headers, **kwargs)
            except httpx.TimeoutException as exc:
                raise UnreachableError(
                    f"iDSS at {self.site} did not answer within {self._timeout_s:g} seconds; "
                    f"check that the site is up, or raise the bridge's timeout."
                ) from exc
            except httpx.ConnectError as exc:
                raise UnreachableError(
                    f"iDSS at {self.site} could not be reached; check the site URL and that "
                    f"the server is running."
                ) from exc
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if attempt == 0:
                    continue
                raise UnreachableError(
                    f"iDSS at {self.site} closed the connection before finishing its answer; "
                    f"try again."
                ) from exc
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise ConfigError(
                    f"The iDSS site URL {self.site} is not a usable web address; check the "
                    f"bridge's site URL."
                ) from exc
            except httpx.HTTPError as exc:
                raise UnreachableError(
                    f"iDSS at {self.site} could not be used ({type(exc).__name__}); try again."
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # -- answers -------------------------------------------------------------------------------
    def json(self, response: httpx.Response, what: str) -> dict:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise RemoteDataError(
                f"iDSS at {self.site} answered the {what} with something that is not JSON; "
                f"check that the site URL points at the iDSS site."
            )
        return data

    @staticmethod
    def error_text(response: httpx.Response) -> str | None:
        """The `error` sentence of a JSON error answer, if it has one."""
        try:
            data = response.json()
        except ValueError:
            return None
        error = data.get("error") if isinstance(data, dict) else None
        return error.strip() if isinstance(error, str) and error.strip() else None

    def status_error(self, response: httpx.Response, what: str) -> ConnectorError:
        code = f"{response.status_code} {response.reason_phrase}".strip()
        if response.status_code == 401:
            return AuthError(
                f"iDSS at {self.site} refused the API key; enter the bridge's current iDSS API key."
            )
        if response.status_code == 403:
            return AuthError(
                f"iDSS at {self.site} does not let this API key read the {what} ({code}); check "
                f"the key's permissions in iDSS."
            )
        if response.status_code == 404:
            return ConfigError(
                f"There is no iDSS {what} at {self.api} ({code}); check the bridge's site URL."
            )
        if response.status_code >= 500:
            return UnreachableError(
                f"iDSS at {self.site} answered {code} to the {what}; it may be down or "
                f"restarting, try again later."
            )
        detail = self.error_text(response)
        return RemoteDataError(
            f"iDSS at {self.site} answered {code} to the {what}"
            + (f" ({detail.rstrip('.')})." if detail else "; check the site URL.")
        )
