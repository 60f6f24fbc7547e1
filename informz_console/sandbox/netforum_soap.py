"""The netFORUM Pro xWeb stand-in on 127.0.0.1: SOAP 1.1 at `/xweb/secure/netForumXML.asmx`.

- `GET ...asmx?WSDL` -> the WSDL (netforum_wsdl), its address set to the URL that was called.
- `POST ...asmx`, SOAP 1.1 envelope, namespace http://www.avectra.com/2005/:
  `Authenticate(userName, password)` answers a new token in the header
  `AuthorizationToken/Token`; a wrong user name or password is a fault (ErrorCode
  InvalidCredentials). Each Authenticate starts a token chain of its own.
  `ExecuteMethod(serviceName, methodName, parameters)` must send the newest token of its chain in
  `AuthorizationToken/Token`; a successful answer carries the chain's NEW token and the one sent
  becomes stale. A missing, stale or unknown token is a fault (ErrorCode InvalidToken); a fault
  never moves the chain on, so the token sent stays the newest.
- Faults are SOAP 1.1 faults with HTTP 500: faultcode soap:Client or soap:Server, a faultstring,
  and `<detail><ErrorCode xmlns="http://www.avectra.com/2005/">..</ErrorCode></detail>`
  (InvalidCredentials, InvalidToken, UnknownService, UnknownMethod, UnknownQuery, UnknownCustomer,
  BadParameter, BadRequest, ServerError).
- GetQueryMembers is streamed: the envelope, the token header and `<Results recordReturn="N">`
  first, then the rows as SQLite renders them, in HTTP/1.1 chunks; memory stays flat.

Fault switches and latency: see `fault_http`. Here "garbage" is a 200 whose XML is malformed
and "drop" handles the call (the token moves on) but closes the socket after `drop_after_bytes`
of the body (at most half of a small answer).
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import sqlite3
import threading
from collections import OrderedDict, deque
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from informz_console.sandbox import netforum_envelope as xml
from informz_console.sandbox.fault_http import (
    FAIL_MODES,
    DroppedOnPurpose,
    FaultHandler,
    FaultPlan,
    FaultServer,
)
from informz_console.sandbox.netforum_methods import SERVICE, InformzSync, MethodFault
from informz_console.sandbox.netforum_wsdl import NAMESPACE, wsdl

__all__ = ["ENDPOINT_PATH", "FAIL_MODES", "FaultPlan", "NetforumSoapServer"]

ENDPOINT_PATH = "/xweb/secure/netForumXML.asmx"
MAX_REQUEST_BYTES = 1_000_000
MAX_CHAINS = 10_000
CHUNK_BYTES = 64 * 1024

_XML = "text/xml; charset=utf-8"
_ENV = f"{{{xml.SOAP_ENV}}}"
_NS = f"{{{NAMESPACE}}}"
_GARBAGE = (  # mismatched tags, cut off: what a proxy mangling the answer might pass on
    xml.head(None) + f'<ExecuteMethodResponse xmlns="{NAMESPACE}"><ExecuteMethodResult>'
    "<Results><Result><Email>a@x.org</Emial></Result>"
).encode()
_HELP_PAGE = (
    b"<html><head><title>netForumXML Web Service</title></head><body><h1>netForumXML</h1>"
    b"<p>The following operations are supported. For a formal definition, please review the "
    b'<a href="netForumXML.asmx?WSDL">Service Description</a>.</p>'
    b"<ul><li>Authenticate</li><li>ExecuteMethod</li></ul></body></html>"
)


class _Dropped(DroppedOnPurpose):
    """The "drop" fault cut the connection; nothing more is written."""


class TokenChains:
    """Authenticate starts a chain; each good call replaces the chain's token with a new one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chain_of: dict[str, int] = {}  # current token -> chain id
        self._token_of: OrderedDict[int, str] = OrderedDict()  # chain id -> current token
        self._next = 0
        self.issued = 0

    def start(self) -> str:
        with self._lock:
            self._next += 1
            if len(self._token_of) >= MAX_CHAINS:
                _, oldest = self._token_of.popitem(last=False)
                self._chain_of.pop(oldest, None)
            return self._issue(self._next)

    def current(self, token: str) -> bool:
        with self._lock:
            return token in self._chain_of

    def rotate(self, token: str) -> str | None:
        """The chain's new token, or None when `token` is not (any more) a chain's newest."""
        with self._lock:
            chain = self._chain_of.pop(token, None)
            return None if chain is None else self._issue(chain)

    def _issue(self, chain: int) -> str:
        token = secrets.token_hex(16)
        self._chain_of[token] = chain
        self._token_of[chain] = token
        self._token_of.move_to_end(chain)
        self.issued += 1
        return token

    def clear(self) -> None:
        with self._lock:
            self._chain_of.clear()
            self._token_of.clear()


class NetforumSoapServer(FaultServer):
    def __init__(self, port: int, db_path: str | Path, username: str, password: str) -> None:
        super().__init__(port, _Handler)
        self.service = InformzSync(db_path)
        self.username = username
        self.password = password
        self.tokens = TokenChains()
        self.calls: deque[tuple[str, str]] = deque(maxlen=10_000)  # (operation, method)

    @property
    def endpoint_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{ENDPOINT_PATH}"

    def record(self, operation: str, method: str = "") -> None:
        with self._lock:
            self.calls.append((operation, method))


class _Handler(FaultHandler):
    server: NetforumSoapServer
    garbage_body = _GARBAGE
    garbage_type = _XML
    _plan: FaultPlan | None = None

    # -- HTTP ----------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self._faulted():
            return
        url = urlsplit(self.path)
        try:
            if url.path.rstrip("/").lower() != ENDPOINT_PATH.lower():
                self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            elif url.query.split("=")[0].lower() == "wsdl":
                self._send(200, wsdl(self.server.endpoint_url), _XML)
            else:
                self._send(200, _HELP_PAGE, "text/html; charset=utf-8")
        except _Dropped:
            self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            return self._send(413, b"<html><body>Request too large</body></html>", "text/html")
        body = self.rfile.read(length)
        if self._faulted():
            return
        if urlsplit(self.path).path.rstrip("/").lower() != ENDPOINT_PATH.lower():
            return self._send(404, b"<html><body>Not Found</body></html>", "text/html")
        try:
            try:
                self._dispatch(body)
            except MethodFault as fault:
                code = "soap:Client" if fault.client else "soap:Server"
                self._send(500, xml.fault(code, fault.text, fault.code), _XML)
        except _Dropped:  # also when the fault's own answer was the one cut
            self.close_connection = True

    # -- SOAP ----------------------------------------------------------------------------------
    def _dispatch(self, body: bytes) -> None:
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            root = etree.fromstring(body, parser)
        except etree.XMLSyntaxError:
            raise MethodFault("BadRequest", "Server was unable to read request.") from None
        operation = root.find(f"{_ENV}Body/*") if root.tag == f"{_ENV}Envelope" else None
        if operation is None or not isinstance(operation.tag, str):
            raise MethodFault("BadRequest", "The request is not a SOAP 1.1 envelope.")
        name = etree.QName(operation).localname
        action = self.headers.get("SOAPAction", "").strip().strip('"')
        if etree.QName(operation).namespace != NAMESPACE or (action and action != NAMESPACE + name):
            raise MethodFault("BadRequest", f"Server did not recognize the operation '{name}'.")
        if name == "Authenticate":
            return self._authenticate(operation)
        if name != "ExecuteMethod":
            raise MethodFault("BadRequest", f"Server did not recognize the operation '{name}'.")
        token = root.findtext(f"{_ENV}Header/{_NS}AuthorizationToken/{_NS}Token")
        service = (_text(operation, "serviceName") or "").strip()
        method = (_text(operation, "methodName") or "").strip()
        self.server.record(name, method)
        if not token:
            raise MethodFault("InvalidToken", "No AuthorizationToken header was sent.")
        if not self.server.tokens.current(token.strip()):
            raise MethodFault("InvalidToken", "Invalid Token Value.")
        if service.casefold() != SERVICE.casefold():
            raise MethodFault("UnknownService", f"Service '{service}' was not found.")
        params: dict[str, str] = {}
        for parameter in operation.iterfind(f"{_NS}parameters/{_NS}Parameter"):
            key = (_text(parameter, "Name") or "").strip().casefold()
            if key:
                params[key] = _text(parameter, "Value") or ""
        if method == "GetQueryMembers":
            return self._members(token.strip(), params)
        columns, rows = self.server.service.small(method, params)
        new = self._rotate(token.strip())
        self._send(200, xml.execute_response(new, columns, rows), _XML)

    def _authenticate(self, operation: etree._Element) -> None:
        self.server.record("Authenticate")
        user = (_text(operation, "userName") or "").strip()
        password = _text(operation, "password") or ""
        user_ok = user.casefold() == self.server.username.casefold()
        if not (
            user_ok and secrets.compare_digest(password.encode(), self.server.password.encode())
        ):
            raise MethodFault("InvalidCredentials", "Invalid user name or password.")
        self._send(200, xml.authenticate_response(self.server.tokens.start()), _XML)

    def _rotate(self, token: str) -> str:
        new = self.server.tokens.rotate(token)
        if new is None:  # another call with the same token got there first
            raise MethodFault("InvalidToken", "Invalid Token Value.")
        return new

    def _members(self, token: str, params: dict[str, str]) -> None:
        total, chunks = self.server.service.members(params)
        try:
            new = self._rotate(token)
            self.send_response(200)
            self.send_header("Content-Type", _XML)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            writer = _ChunkedWriter(self, self._drop_limit(None))
            writer.write(xml.head(new) + xml.EXECUTE_OPEN + xml.results_open(total))
            try:
                for chunk in chunks:
                    writer.write(chunk)
            except sqlite3.Error:  # too late for a fault: cut the answer short, as IIS would
                _cut(self)
            writer.write(xml.RESULTS_CLOSE + xml.EXECUTE_CLOSE + xml.TAIL)
            writer.close()
        finally:
            chunks.close()

    # -- helpers -------------------------------------------------------------------------------
    def _faulted(self) -> bool:
        self._plan = None
        return super()._faulted()

    def _drop(self, plan: FaultPlan) -> bool:
        self._plan = plan
        return False  # handled, then cut short while writing

    def _drop_limit(self, size: int | None) -> int | None:
        if self._plan is None or self._plan.mode != "drop":
            return None
        limit = self._plan.drop_after_bytes
        return limit if size is None else min(limit, size // 2)

    def _closes(self, status: int) -> bool:
        return status in (413, 503)  # a SOAP fault (500) keeps the connection, as IIS does

    def _write_body(self, body: bytes) -> None:
        limit = self._drop_limit(len(body))
        if limit is not None:
            self.wfile.write(body[:limit])
            _cut(self)
        self.wfile.write(body)


class _ChunkedWriter:
    """HTTP/1.1 chunked body of UTF-8 text, sent in pieces of about CHUNK_BYTES."""

    def __init__(self, handler: _Handler, drop_after: int | None) -> None:
        self._handler = handler
        self._parts: list[bytes] = []
        self._size = 0
        self._sent = 0
        self._drop_after = drop_after

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._parts.append(data)
        self._size += len(data)
        if self._size >= CHUNK_BYTES:
            self._flush()

    def _flush(self) -> None:
        data = b"".join(self._parts)
        self._parts, self._size = [], 0
        if not data:
            return
        if self._drop_after is not None and self._sent + len(data) > self._drop_after:
            data = data[: max(self._drop_after - self._sent, 1)]
            self._chunk(data)
            _cut(self._handler)
        self._chunk(data)
        self._sent += len(data)

    def _chunk(self, data: bytes) -> None:
        self._handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def close(self) -> None:
        self._flush()
        self._handler.wfile.write(b"0\r\n\r\n")


def _cut(handler: _Handler) -> None:
    with contextlib.suppress(OSError):
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
    handler.close_connection = True
    raise _Dropped


def _text(element: etree._Element, name: str) -> str | None:
    """A child's text, qualified in the xWeb namespace (as the WSDL says) or unqualified."""
    found = element.find(_NS + name)
    if found is None:
        found = element.find(name)
    return None if found is None else (found.text or "")
