"""A small real HTTP server for Personify answers the sandbox never writes (pages a test shapes
itself), with an ODataClient pointed at it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from informz_console.connectors.personify_odata import ODataClient


class PageHandler(BaseHTTPRequestHandler):
    """A test's handler answers each GET through `answer`; nothing is logged."""

    def answer(self, body: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def local_pds(handler: type[BaseHTTPRequestHandler]) -> Iterator[ODataClient]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = ODataClient(f"http://127.0.0.1:{server.server_address[1]}", "u", "pw", 5.0)
    try:
        yield client
    finally:
        client.close()
        server.shutdown()
        server.server_close()
