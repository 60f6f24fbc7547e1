"""The HTTP plumbing every sandbox server shares: a ThreadingHTTPServer on 127.0.0.1 that can be
told to misbehave, and the request handler base that carries the misbehaviour out.

Fault switches (`FaultPlan`) for tests: "refuse" answers 503, "garbage" a 200 page the client
cannot parse (`garbage_body`), "slow" sleeps `slow_s` before answering, "drop" closes the socket
mid-body (`drop_prefix` after headers promising more); `after_requests` lets that many requests
through first, and `times`, when set, ends the fault after that many faulted requests (a server
that recovers: what a client's retry with backoff is for). `received` counts every request since
start, so a test can tell how often a client tried. `latency_s` delays every request (a WAN round
trip). `stop()` also closes live keep-alive connections, so "server down" really is down.

A connection the sandbox cuts on purpose ends its handler with `DroppedOnPurpose`, and clients
hanging up are normal: neither is printed as a server error.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

FAIL_MODES = (None, "refuse", "garbage", "slow", "drop")

_REFUSED = b"<html><body>Service Unavailable</body></html>"


@dataclass
class FaultPlan:
    mode: str | None = None
    after_requests: int = 0
    slow_s: float = 5.0
    drop_after_bytes: int = 64 * 1024  # "drop" in netFORUM: cut the handled answer after this
    times: int | None = None  # faulted requests before the server recovers (None: for good)


class DroppedOnPurpose(Exception):
    """A handler cut its connection as the fault plan asked; nothing more is written."""


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", port), handler)
        self.faults = FaultPlan()
        self.latency_s = 0.0  # added to every request, like a VPN round trip
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._served = 0
        self.received = 0  # every request since start (faulted ones too)
        self._sockets: set[socket.socket] = set()

    # -- state shared by the handler threads ---------------------------------------------------
    def next_fault(self) -> FaultPlan | None:
        with self._lock:
            self._served += 1
            self.received += 1
            plan = self.faults
            if plan.mode is None or self._served <= plan.after_requests:
                return None
            if plan.times is not None and self._served > plan.after_requests + plan.times:
                return None
            return plan

    def set_faults(self, plan: FaultPlan) -> None:
        if plan.mode not in FAIL_MODES:
            raise ValueError(f"Unknown fail mode {plan.mode!r}; use one of {FAIL_MODES}.")
        with self._lock:
            self.faults = plan
            self._served = 0

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
        """Quiet about clients that hang up, connections a fault cut on purpose and requests cut
        short by stop()."""
        error = sys.exc_info()[1]
        quiet = ConnectionError | TimeoutError | DroppedOnPurpose
        if self.stopping.is_set() or isinstance(error, quiet):
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


class FaultHandler(BaseHTTPRequestHandler):
    """Quiet, keep-alive, TCP_NODELAY; `_faulted()` first thing in every request."""

    # Headers and body leave in separate writes; without TCP_NODELAY the client's delayed
    # ACK holds each small answer ~40 ms (measured: 43 ms per iDSS PATCH, 2.3 ms with it).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server: FaultServer

    garbage_body: ClassVar[bytes] = b"<!DOCTYPE html><html><body></body></html>"
    garbage_type: ClassVar[str] = "text/html; charset=utf-8"
    drop_prefix: ClassVar[bytes] = b"{"  # the start of an answer "drop" cuts off
    json_type: ClassVar[str] = "application/json; charset=utf-8"
    json_options: ClassVar[dict[str, Any]] = {}  # for json.dumps: the wire's spacing and escaping
    fixed_headers: ClassVar[tuple[tuple[str, str], ...]] = ()  # sent with every answer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet sandbox
        return

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    # -- faults --------------------------------------------------------------------------------
    def _faulted(self) -> bool:
        """Apply the latency and the fault plan; True when the request is answered (or cut)."""
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
            self._send(503, _REFUSED, "text/html")
        elif plan.mode == "garbage":
            self._send(200, self.garbage_body, self.garbage_type)
        elif plan.mode == "drop":
            return self._drop(plan)
        return True

    def _drop(self, plan: FaultPlan) -> bool:
        """Promise a long JSON answer, send its first bytes, hang up."""
        self.send_response(200)
        self.send_header("Content-Type", self.json_type)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(self.drop_prefix)
        self.wfile.flush()
        # The client may have hung up first (it had what it needed to fail): already dropped.
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True
        return True

    # -- answers -------------------------------------------------------------------------------
    def _json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, **self.json_options).encode("utf-8")
        self._send(status, body, self.json_type, headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in self.fixed_headers:
            self.send_header(name, value)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self._closes(status):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self._write_body(body)

    def _closes(self, status: int) -> bool:
        """Whether an answer with this status ends the keep-alive connection."""
        return status >= 500

    def _write_body(self, body: bytes) -> None:
        self.wfile.write(body)
