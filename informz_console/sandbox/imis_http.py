"""The iMIS REST stand-in on 127.0.0.1: the two endpoints the integration uses.

- `POST /token` (form: grant_type=password, username, password) -> `{"access_token",
  "token_type": "bearer", "expires_in", "userName", ".issued", ".expires"}`; a wrong user name
  or password -> 400 `{"error": "invalid_grant", "error_description": ...}`.
- `GET /api/iqa?QueryName=$/path&limit=500&offset=N` with `Authorization: Bearer <token>`
  (missing, unknown or expired -> 401) -> the iMIS paged envelope (`PagedResult` with
  `Items.$values` of `GenericEntityData`, each with `Properties.$values` of Name/Value pairs:
  ResultRow, ID, FullName, Status), rows ordered by ID; `limit` defaults to 100 and is capped at
  500 as in iMIS; an unknown query -> 404 with a JSON `Message`.

Fault switches and latency: see `fault_http` ("drop" cuts a PagedResult short).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from informz_console.sandbox.fault_http import FAIL_MODES, FaultHandler, FaultPlan, FaultServer
from informz_console.sandbox.imis_envelope import PAGED_TYPE, envelope
from informz_console.sandbox.imis_iqa_eval import IqaEvaluator

__all__ = ["FAIL_MODES", "FaultPlan", "ImisHttpServer"]

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
TOKEN_LIFETIME_S = 1199

_JSON = "application/json; charset=utf-8"
_GARBAGE = b"<!DOCTYPE html><html><head><title>Sign In</title></head><body>iMIS</body></html>"


class ImisHttpServer(FaultServer):
    def __init__(self, port: int, db_path: str | Path, username: str, password: str) -> None:
        super().__init__(port, _Handler)
        self.evaluator = IqaEvaluator(db_path)
        self.username = username
        self.password = password
        self._tokens: dict[str, float] = {}

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.monotonic() + TOKEN_LIFETIME_S
        return token

    def token_valid(self, token: str) -> bool:
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and expires > time.monotonic()

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def stop(self) -> None:
        super().stop()
        self.evaluator.close()


class _Handler(FaultHandler):
    server: ImisHttpServer
    garbage_body = _GARBAGE
    drop_prefix = b'{"$type": "' + PAGED_TYPE.encode() + b'", "Items": {"$values": ['

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = self._body()
        if self._faulted():
            return
        if urlsplit(self.path).path.rstrip("/").lower() != "/token":
            return self._json(404, {"Message": "No HTTP resource was found."})
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "password":
            return self._json(400, {"error": "unsupported_grant_type"})
        user_ok = form.get("username", "").casefold() == self.server.username.casefold()
        if not (user_ok and secrets.compare_digest(form.get("password", ""), self.server.password)):
            description = "The user name or password is incorrect."
            return self._json(400, {"error": "invalid_grant", "error_description": description})
        issued = datetime.now(UTC)
        stamp = "%a, %d %b %Y %H:%M:%S GMT"
        expires = issued + timedelta(seconds=TOKEN_LIFETIME_S)
        self._json(
            200,
            {
                "access_token": self.server.issue_token(),
                "token_type": "bearer",
                "expires_in": TOKEN_LIFETIME_S,
                "userName": self.server.username,
                ".issued": issued.strftime(stamp),
                ".expires": expires.strftime(stamp),
            },
        )

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self._faulted():
            return
        url = urlsplit(self.path)
        if url.path.rstrip("/").lower() != "/api/iqa":
            return self._json(404, {"Message": "No HTTP resource was found."})
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not self.server.token_valid(token.strip()):
            return self._json(401, {"Message": "Authorization has been denied for this request."})
        params = {k.lower(): v[0] for k, v in parse_qs(url.query).items()}
        try:
            limit = int(params.get("limit", DEFAULT_LIMIT))
            offset = int(params.get("offset", 0))
        except ValueError:
            return self._json(400, {"Message": "The request is invalid."})
        limit = DEFAULT_LIMIT if limit <= 0 else min(limit, MAX_LIMIT)
        offset = max(offset, 0)
        query = params.get("queryname", "")
        try:
            page = self.server.evaluator.page(query, offset, limit) if query else None
        except sqlite3.Error:
            return self._json(500, {"Message": "An error has occurred."})
        if page is None:
            return self._json(404, {"Message": f"Query '{query}' was not found."})
        self._send(200, envelope(*page, offset=offset, limit=limit), _JSON)
