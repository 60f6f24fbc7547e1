"""HTTP to the iDSS REST API: the `X-Api-Key` header on every call, answers checked, and every
failure turned into a ConnectorError with one sentence that never contains the key.

- GET and the informz code PATCH are both idempotent: a timeout, a refused or dropped connection
  or a 5xx answer is tried again with backoff (http_send); a 4xx or unreadable answer is not.
- `get_json` checks the status and that the answer is a JSON object; `send` hands back the raw
  response for callers that read error answers themselves (the PATCH).
"""

from __future__ import annotations

import httpx

from informz_console.connectors import json_answer
from informz_console.connectors.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RemoteDataError,
)
from informz_console.connectors.http_send import (
    AmsHttp,
    HttpClientFactory,
    default_client,
    status_text,
)
from informz_console.connectors.idss_settings import IdssSettings

API_KEY_HEADER = "X-Api-Key"


class IdssHttpClient:
    def __init__(
        self,
        settings: IdssSettings,
        api_key: str,
        client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.site = settings.site_url
        self.api = settings.api_url
        self._http = AmsHttp("iDSS", self.site, settings.timeout_s)
        self._headers = {API_KEY_HEADER: api_key, "Accept": "application/json"}
        timeout_s = settings.timeout_s
        self._client = client_factory(timeout_s) if client_factory else default_client(timeout_s, 4)

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
        headers = {**self._headers, **(headers or {})}
        return self._http.send(
            self._client, method, self.api + path, idempotent=True, headers=headers, **kwargs
        )

    # -- answers -------------------------------------------------------------------------------
    def json(self, response: httpx.Response, what: str) -> dict:
        try:  # httpx's reading (its charset detection) when orjson refuses the bytes
            data = json_answer.loads(response.content, response.json)
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
            data = json_answer.loads(response.content, response.json)
        except ValueError:
            return None
        error = data.get("error") if isinstance(data, dict) else None
        return error.strip() if isinstance(error, str) and error.strip() else None

    def status_error(self, response: httpx.Response, what: str) -> ConnectorError:
        code = status_text(response.status_code, response.reason_phrase)
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
            return self._http.server_down(code, what)
        detail = self.error_text(response)
        if not detail:
            return self._http.unexpected_status(code, what)
        return RemoteDataError(
            f"iDSS at {self.site} answered {code} to the {what} ({detail.rstrip('.')})."
        )
