"""The Personify Data Services (PDS) stand-in on 127.0.0.1: OData v2, JSON verbose, HTTP Basic.

Under `/PersonifyDataServices/PersonifyData.svc` (the path matched without case, as IIS does):
- `GET /` the service document `{"d": {"EntitySets": [...]}}`; `GET /$metadata` a small EDMX;
- `GET /{EntitySet}` with `$filter $select $expand $top $skip $inlinecount $skiptoken`
  -> `{"d": {"results": [...], "__count"?: "N", "__next"?: url}}` (`personify_query`), at most
  `page_limit` rows per response (server-driven paging);
- `GET /{EntitySet}(key)` -> `{"d": {...}}` or 404; `GET /{EntitySet}/$count` -> text;
- `POST /CustomerCommunicationUpdates` the writeback (`personify_writes`) -> 201 `{"d": {...}}`.

Every request needs `Authorization: Basic` with the sandbox user and password (user name without
case); anything else is 401 with `WWW-Authenticate: Basic`. Errors are OData JSON errors
`{"error": {"code", "message": {"lang", "value"}}}`. A URL over MAX_URL characters is 414, like
IIS's request limits (a `$filter` of thousands of `or`-ed keys does not get through).

Fault switches (`FaultPlan`, as in the iMIS sandbox): "refuse" answers 503, "garbage" a 200 HTML
page, "slow" sleeps `slow_s` before answering, "drop" closes the socket mid-body; `after_requests`
lets that many requests through first. `latency_s` delays every request (a WAN round trip).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import secrets
import socket
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from queue import Empty, SimpleQueue
from urllib.parse import parse_qs, unquote, urlsplit

from informz_console.sandbox.imis_http import FAIL_MODES, FaultPlan
from informz_console.sandbox.personify_entities import ENTITY_SETS, NAMESPACE, SERVICE_PATH
from informz_console.sandbox.personify_filter import ODataError
from informz_console.sandbox.personify_query import (
    count_set,
    parse_options,
    parse_segment,
    read_entity,
    read_set,
)
from informz_console.sandbox.personify_writes import apply_update

__all__ = ["FAIL_MODES", "FaultPlan", "PersonifyHttpServer"]

DEFAULT_PAGE_LIMIT = 1000
MAX_URL = 8192
_JSON = "application/json;charset=utf-8"
_GARBAGE = (
    b"<!DOCTYPE html><html><head><title>Runtime Error</title></head>"
    b"<body><h1>Server Error in '/PersonifyDataServices' Application.</h1></body></html>"
)


def odata_error(message: str, code: str = "") -> bytes:
    return json.dumps(
        {"error": {"code": code, "message": {"lang": "en-US", "value": message}}}
    ).encode()


class PersonifyHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, db_path: str | Path, username: str, password: str) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.db_path = str(db_path)
        self.username = username
        self.password = password
        self.faults = FaultPlan()
        self.latency_s = 0.0
        self.page_limit = DEFAULT_PAGE_LIMIT
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._served = 0
        self._sockets: set[socket.socket] = set()
        self._pool: SimpleQueue[sqlite3.Connection] = SimpleQueue()
        host, bound = self.server_address[:2]
        self.service_url = f"http://{host}:{bound}{SERVICE_PATH}"

    # -- database connections (one per handler thread at a time) -------------------------------
    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._pool.get_nowait()
        except Empty:
            conn = sqlite3.connect(self.db_path, timeout=30, check_same_thread=False)
        try:
            yield conn
        finally:
            self._pool.put(conn)

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

    def authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, sep, password = decoded.partition(":")
        return (
            bool(sep)
            and user.casefold() == self.username.casefold()
            and (secrets.compare_digest(password.encode(), self.password.encode()))
        )

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
        while True:
            try:
                self._pool.get_nowait().close()
            except Empty:
                break


def service_document() -> dict:
    return {"d": {"EntitySets": list(ENTITY_SETS)}}


def metadata_xml() -> bytes:
    types, sets = [], []
    for entity in ENTITY_SETS.values():
        keys = "".join(f'<PropertyRef Name="{k}"/>' for k in entity.keys)
        props = "".join(
            f'<Property Name="{n}" Type="{t}" Nullable="{str(n not in entity.keys).lower()}"/>'
            for n, t in entity.properties.items()
        )
        navs = "".join(
            f'<NavigationProperty Name="{n.name}" Relationship="{NAMESPACE}.{entity.type_name}_'
            f'{n.name}" FromRole="{entity.type_name}" ToRole="{n.name}"/>'
            for n in entity.navigation.values()
        )
        types.append(f'<EntityType Name="{entity.type_name}"><Key>{keys}</Key>{props}{navs}'
                     f"</EntityType>")  # fmt: skip
        sets.append(f'<EntitySet Name="{entity.name}" EntityType="{entity.full_type}"/>')
    return (
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx">'
        '<edmx:DataServices m:DataServiceVersion="2.0" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">'
        f'<Schema Namespace="{NAMESPACE}" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
        f'{"".join(types)}<EntityContainer Name="PersonifyEntities" '
        f'm:IsDefaultEntityContainer="true">{"".join(sets)}</EntityContainer>'
        "</Schema></edmx:DataServices></edmx:Edmx>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body are two writes: without TCP_NODELAY the body's last segment waits for
    # the client's delayed ACK (40 ms a response on Linux), as no real web server lets it
    disable_nagle_algorithm = True
    server: PersonifyHttpServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet sandbox
        return

    # -- routing -------------------------------------------------------------------------------
    def _route(self) -> tuple[str, dict[str, str]] | None:
        """(the path below the service root, query options), or None after answering."""
        if len(self.path) > MAX_URL:
            self._send(414, b"<html><body>Request URL Too Long</body></html>", "text/html")
            return None
        if not self.server.authorized(self.headers.get("Authorization", "")):
            self._send(401, odata_error("Access is denied."), _JSON,
                       {"WWW-Authenticate": 'Basic realm="PersonifyDataServices"'})  # fmt: skip
            return None
        url = urlsplit(self.path)
        path = unquote(url.path)
        if not path.lower().startswith(SERVICE_PATH.lower()):
            self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            return None
        rest = path[len(SERVICE_PATH) :].strip("/")
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        return rest, params

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self._faulted():
            return
        routed = self._route()
        if routed is None:
            return
        rest, params = routed
        try:
            if rest == "":
                return self._json(200, service_document())
            if rest == "$metadata":
                return self._send(200, metadata_xml(), "application/xml;charset=utf-8")
            segment, _, tail = rest.partition("/")
            entity, key = parse_segment(segment)
            options = parse_options(params)
            with self.server.connection() as conn:
                if tail == "$count" and key is None:
                    count = count_set(conn, entity, options)
                    return self._send(200, str(count).encode(), "text/plain;charset=utf-8")
                if tail:
                    raise ODataError(404, f"Resource not found for the segment '{tail}'.")
                if key is not None:
                    item = read_entity(conn, entity, key, options, self.server.service_url)
                    if item is None:
                        raise ODataError(404, f"Resource not found for the segment '{segment}'.")
                    return self._send(200, f'{{"d":{item}}}'.encode("ascii"), _JSON)
                body = read_set(conn, entity, options, self.server.service_url,
                                self.server.page_limit)  # fmt: skip
            self._send(200, body, _JSON)
        except ODataError as exc:
            self._send(exc.status, odata_error(str(exc)), _JSON)
        except sqlite3.Error:
            self._send(500, odata_error("An error occurred while processing this request."),
                       _JSON)  # fmt: skip

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self._faulted():
            return
        routed = self._route()
        if routed is None:
            return
        rest, _ = routed
        try:
            entity, key = parse_segment(rest)
            if not entity.writable or key is not None:
                raise ODataError(405, f"The resource '{rest}' does not accept POST.")
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ODataError(400, "The request body is not valid JSON.") from None
            with self.server.connection() as conn, conn:
                activity = apply_update(conn, payload, datetime.now(UTC))
                item = read_entity(conn, entity, (activity,), parse_options({}),
                                   self.server.service_url)  # fmt: skip
            location = f"{self.server.service_url}/{entity.name}({activity})"
            self._send(201, f'{{"d":{item}}}'.encode("ascii"), _JSON, {"Location": location})
        except ODataError as exc:
            self._send(exc.status, odata_error(str(exc)), _JSON)
        except sqlite3.Error:
            self._send(500, odata_error("An error occurred while processing this request."),
                       _JSON)  # fmt: skip

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
            self.send_header("Content-Type", _JSON)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b'{"d": {"results": [{"__metadata": {"uri": "')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        return True

    def _json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, separators=(",", ":")).encode(), _JSON, headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("DataServiceVersion", "2.0;")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status >= 500:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)
