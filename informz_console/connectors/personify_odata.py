"""Personify Data Services over HTTP: OData v2 JSON verbose, HTTP Basic on every request.

- `page(url, params, what)` reads one collection response into an `ODataPage` (results,
  `__count`, `__next`), in two steps a page reader may take apart: `raw_page` (the body) and
  `parse_page`, with `next_link_in` reading the `__next` link off a body's tail beforehand;
  `entity(...)` one entity by key; `post(...)` one write.
- A `__next` link is followed on our own site: only its path and query are kept and put on the
  configured site (a PDS behind a proxy often names an inner host; the credentials never go to a
  host the user did not configure). A link outside the service path is a RemoteDataError.
- A GET that times out, meets a refused or dropped connection or a 5xx answer is tried again with
  backoff (http_send); a POST is not (it may have been applied), nor is a 4xx or unreadable answer.
- Every failure is a ConnectorError with one sentence that never contains the password:
  401 AuthError, 403 AuthError, 404 ConfigError (the caller's sentence), 5xx UnreachableError,
  other statuses and unreadable bodies RemoteDataError; refused/timed out/dropped connections
  UnreachableError (transient).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

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
from informz_console.connectors.personify_settings import SERVICE_PATH

# After `"__next"` at the end of a page: the colon, the JSON string of the link, and nothing
# but the ends of `d` and of the answer. A `__next` inside a result (an expanded collection's)
# is followed by more of the page, so the last page of a list is not taken to link to it.
_NEXT_VALUE = re.compile(rb'\s*:\s*("(?:[^"\\]|\\.)*")\s*\}\s*\}\s*\Z')

_HEADERS = {
    "Accept": "application/json",
    "DataServiceVersion": "2.0",
    "MaxDataServiceVersion": "2.0",
}


@dataclass(frozen=True)
class ODataPage:
    results: list[dict]
    count: int | None
    next_url: str | None


class ODataClient:
    def __init__(
        self,
        site: str,
        username: str,
        password: str,
        timeout_s: float,
        client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.site = site.rstrip("/")
        self.service = self.site + SERVICE_PATH
        self._username = username
        self._auth = httpx.BasicAuth(username, password)
        self._http = AmsHttp("Personify", self.site, timeout_s, names_call=True)
        self._client = (client_factory or default_client)(timeout_s)

    def close(self) -> None:
        self._client.close()

    # -- reads ---------------------------------------------------------------------------------
    def page(
        self,
        path_or_url: str,
        params: dict[str, str] | None,
        what: str,
        not_found: str | None = None,
    ) -> ODataPage:
        """One collection response (thread-safe). `path_or_url` is an entity set name or a
        `__next` link."""
        return self.parse_page(self.raw_page(path_or_url, params, what, not_found), what)

    def raw_page(
        self,
        path_or_url: str,
        params: dict[str, str] | None,
        what: str,
        not_found: str | None = None,
    ) -> bytes:
        """The body of one GET answer, unparsed: a collection page (see `next_link_in`) or,
        for `_get`, an entity."""
        url = path_or_url if "://" in path_or_url else f"{self.service}/{path_or_url}"
        response = self._send("GET", url, what, params=params)
        if response.status_code != 200:
            raise self._status_error(response, what, not_found)
        return response.content

    def parse_page(self, body: bytes, what: str) -> ODataPage:
        data = self._d(body, what)
        try:
            results = data["results"] if isinstance(data, dict) else data
            if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
                raise TypeError
            count = data.get("__count") if isinstance(data, dict) else None
            next_url = data.get("__next") if isinstance(data, dict) else None
            count = None if count is None else int(count)
        except (KeyError, TypeError, ValueError):
            raise RemoteDataError(
                f"Personify at {self.site} answered the {what} without an OData result list; "
                f"check that the site URL points at Personify Data Services."
            ) from None
        if next_url is not None and not isinstance(next_url, str):
            raise RemoteDataError(f"Personify at {self.site} sent an unreadable next-page link.")
        return ODataPage(results, count, self.rebase(next_url) if next_url else None)

    def next_link_in(self, body: bytes) -> str | None:
        """The `__next` link of a page read from its raw tail, without parsing the page, so the
        next request can go out while this page is parsed; None when there is none or it cannot
        be read there. A guess: `parse_page` has the last word (personify_streams.follow)."""
        at = body.rfind(b'"__next"')
        found = _NEXT_VALUE.match(body, at + 8) if at >= 0 else None
        if found is None:
            return None
        try:
            link = json.loads(found.group(1))
            return self.rebase(link) if isinstance(link, str) and link else None
        except (ValueError, RemoteDataError):
            return None

    def entity(self, path: str, what: str, not_found: str) -> dict:
        data = self._get(path, None, what, not_found)
        if not isinstance(data, dict):
            raise RemoteDataError(
                f"Personify at {self.site} answered the {what} without an OData entity."
            )
        return data

    def rebase(self, link: str) -> str:
        """A `__next` link put on the configured site (path and query kept)."""
        url = urlsplit(link)
        if not url.path.lower().startswith(SERVICE_PATH.lower()):
            raise RemoteDataError(
                f"Personify at {self.site} sent a next-page link outside Personify Data "
                f"Services ({url.path or link[:80]})."
            )
        return self.site + url.path + (f"?{url.query}" if url.query else "")

    def _get(
        self, path_or_url: str, params: dict[str, str] | None, what: str, not_found: str | None
    ) -> object:
        return self._d(self.raw_page(path_or_url, params, what, not_found), what)

    # -- writes --------------------------------------------------------------------------------
    def post(
        self,
        path: str,
        body: dict,
        what: str,
        not_found: str,
        not_found_error: type[ConnectorError] = ConfigError,
    ) -> dict:
        response = self._send("POST", f"{self.service}/{path}", what, json=body)
        if response.status_code not in (200, 201):
            raise self._status_error(response, what, not_found, not_found_error)
        data = self._d(response.content, what)
        if not isinstance(data, dict):
            raise RemoteDataError(
                f"Personify at {self.site} answered the {what} without the created entity."
            )
        return data

    # -- HTTP ----------------------------------------------------------------------------------
    def _send(self, method: str, url: str, what: str, **kwargs) -> httpx.Response:
        return self._http.send(
            self._client,
            method,
            url,
            what,
            idempotent=method == "GET",
            auth=self._auth,
            headers=_HEADERS,
            **kwargs,
        )

    def _d(self, body: bytes, what: str) -> object:
        try:
            data = json_answer.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict) or "d" not in data:
            raise RemoteDataError(
                f"Personify at {self.site} answered the {what} with something that is not "
                f"OData JSON; check that the site URL points at Personify Data Services."
            )
        return data["d"]

    def _status_error(
        self,
        response: httpx.Response,
        what: str,
        not_found: str | None,
        not_found_error: type[ConnectorError] = ConfigError,
    ) -> ConnectorError:
        code = status_text(response.status_code, response.reason_phrase)
        status = response.status_code
        if status == 401:
            return AuthError(f"Personify refused the user name or password for {self.site}.")
        if status == 403:
            return AuthError(
                f"Personify at {self.site} does not let {self._username} read the {what} "
                f"({code}); check the user's rights in Personify Data Services."
            )
        if status == 404:
            return not_found_error(
                not_found
                or f"Personify at {self.site} has no {what} ({code}); check that the site URL "
                f"points at the Personify site with Personify Data Services."
            )
        if status >= 500:
            return self._http.server_down(code, what)
        message = _odata_message(response)
        detail = f": {message}" if message else ""
        return RemoteDataError(
            f"Personify at {self.site} refused the {what} ({code}){detail.rstrip('.')}."
        )


def _odata_message(response: httpx.Response) -> str:
    """The message of an OData error body, cut to 200 characters ('' when there is none)."""
    try:
        error = json_answer.loads(response.content, response.json).get("error", {})
        message = error.get("message", {})
        text = message.get("value", "") if isinstance(message, dict) else str(message)
    except (ValueError, AttributeError):
        return ""
    return " ".join(str(text).split())[:200]
