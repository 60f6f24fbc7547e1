"""The iMIS REST stand-in on 127.0.0.1: the two endpoints the integration uses.

- `POST /token` (form: grant_type=password, username, password) -> `{"access_token",
  "token_type": "bearer", "expires_in", "userName", ".issued", ".expires"}`; a wrong user name
  or password -> 400 `{"error": "invalid_grant", "error_description": ...}`.
- `GET /api/iqa?QueryName=$/path&limit=500&offset=N` with `Authorization: Bearer <token>`
  (missing, unknown or expired -> 401) -> the iMIS paged envelope (`PagedResult` with
  `Items.$values` of `GenericEntityData`, each with `Properties.$values` of Name/Value pairs:
  ResultRow, ID, FullName, Status), rows ordered by ID; `limit` defaults to 100 and is capped at
  500 as in iMIS; an unknown query -> 404 with a JSON `Message`.

Fault switches (`FaultPlan`) for tests: "refuse" answers 503, "garbage" a 200 HTML page,
"slow" sleeps `slow_s` before answering, "drop" closes the socket mid-body; `after_requests`
lets that many requests through first. `latency_s` delays every request (a WAN round trip).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from informz_console.sandbox.imis_envelope import PAGED_TYPE, envelope
from informz_console.sandbox.imis_iqa_eval import IqaEvaluator

FAIL_MODES = (None, "refuse", "garbage", "slow", "drop")
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
TOKEN_LIFETIME_S = 1199

_JSON = "application/json; charset=utf-8"
_GARBAGE = b"<!DOCTYPE html><html><head><title>Sign In</title></head><body>iMIS</body></html>"


@dataclass
class FaultPlan:
    mode: str | None = None
    after_requests: int = 0
    slow_s: float = 5.0


class ImisHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, db_path: str | Path, username: str, password: str) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.evaluator = IqaEvaluator(db_path)
        self.username = username
        self.password = password
        self.faults = FaultPlan()
        self.latency_s = 0.0  # added to every request, like a VPN round trip
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._served = 0
        self._sockets: set[socket.socket] = set()

    # -- state shared by the handler threads ---------------------------------------------------
    def next_fault(self) -> FaultPlan | None:
        with self._lock:
            self._served += 1
            plan = self.faults
            if plan.mode is None or self._served <= plan.after_requests:
                return None
            return plan

    def set_faults(self, plan: FaultPlan) -> None:
        if plan.mode not in FAIL_MODES:
            raise ValueError(f"Unknown fail mode {plan.mode!r}; use one of {FAIL_MODES}.")
        with self._lock:
            self.faults = plan
            self._served = 0

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

    # -- lifecycle: close live keep-alive connections too, so "server down" really is down ------
    def process_request(self, request, client_address) -> None:
        with self._lock:
            self._sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._lock:
            self._sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """Quiet about clients that hang up and about requests cut short by stop()."""
        error = sys.exc_info()[1]
        if self.stopping.is_set() or isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        with self._lock:
            live = list(self._sockets)
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.evaluator.close()


class _Handler(BaseHTTPRequestHandler):
    # Headers and body leave in separate writes; without TCP_NODELAY the client's delayed
    # ACK holds each small answer ~40 ms (measured: 43 ms per iDSS PATCH, 2.3 ms with it).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server: ImisHttpServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet sandbox
        return

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
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

    # -- helpers -------------------------------------------------------------------------------
    def _faulted(self) -> bool:
        if self.server.latency_s > 0 and self.server.stopping.wait(self.server.latency_s):
            self.close_connection = True
            return True
        plan = self.server.next_fault()
        if plan is None:
            return False
        if plan.mode == "slow":
            if self.server.stopping.wait(plan.slow_s):
                self.close_connection = True
                return True
            return False
        if plan.mode == "refuse":
            self._send(503, b"<html><body>Service Unavailable</body></html>", "text/html")
        elif plan.mode == "garbage":
            self._send(200, _GARBAGE, "text/html; charset=utf-8")
        elif plan.mode == "drop":
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b'{"$type": "' + PAGED_TYPE.encode() + b'", "Items": {"$values": [')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        return True

    def _json(self, status: int, payload: object) -> None:
        self._send(status, json.dumps(payload).encode(), _JSON)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status >= 500:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
