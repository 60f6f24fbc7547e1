"""The IPM preference form served by the console: a small local web server (http.server).

    server = PreferenceServer(engine, credentials, clock, port=8765).start()   # a thread
    ... server.url ...
    server.stop()

Routes: `GET /preferences?t=TOKEN` shows the form; `POST /preferences` (form fields `t` and
`interest` per ticked box) saves it. Answers:
- 200 the form (after a save, with what changed);
- 403 a tampered, expired or unknown token, or a subscriber no longer in the mirror;
- 409 a UD table with no row for the subscriber (seed 004: never created);
- 400 a malformed request; 404 any other path; 503 iMIS unreachable; 500 a bridge setting
  problem — each a page with one sentence, never a traceback.

It binds to 127.0.0.1 by default. The token is a bearer credential: request logs name the
path without its query, responses are `no-store`, and `Referrer-Policy: no-referrer` keeps the
link out of other sites' logs. The page runs no script (CSP `default-src 'none'`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine

from informz_console.connectors.errors import ConnectorError, UnreachableError
from informz_console.connectors.imis_writeback import MissingUdRowError
from informz_console.domain.clock import Clock
from informz_console.sync.connector_factory import build_connector
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.preferences import PATH, load_form, save_form
from informz_console.sync.preferences_page import form_page, message_page
from informz_console.sync.preferences_token import TokenRefused

LOG = logging.getLogger(__name__)
MAX_BODY = 64 * 1024
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'",  # fmt: skip
}


class _Handler(BaseHTTPRequestHandler):
    server: PreferenceServer  # type: ignore[assignment]
    server_version = "InformzConsolePreferences/1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        LOG.info("%s %s -> %s", self.command, urlsplit(self.path).path, args[1] if len(args) > 1
                 else "")  # fmt: skip

    def _send(self, status: HTTPStatus, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlsplit(self.path)
        if url.path != PATH:
            self._send(HTTPStatus.NOT_FOUND, message_page("Not found", "There is no page here."))
            return
        token = (parse_qs(url.query).get("t") or [""])[0]
        self._answer(lambda: form_page(self.server.load(token), token))

    def do_POST(self) -> None:  # noqa: N802
        if urlsplit(self.path).path != PATH:
            self._send(HTTPStatus.NOT_FOUND, message_page("Not found", "There is no page here."))
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self._send(HTTPStatus.BAD_REQUEST, message_page(
                "Bad request", "The form came without its fields; open the link again."))
            return
        fields = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        token = (fields.get("t") or [""])[0]
        self._answer(lambda: self._saved(token, fields.get("interest") or []))

    def _saved(self, token: str, ticked: list[str]) -> bytes:
        result = self.server.save(token, ticked)
        notice = (f"Saved: {len(result.changes)} choice(s) changed." if result.changes
                  else "Saved: nothing needed to change.")  # fmt: skip
        return form_page(result.form, token, notice)

    def _answer(self, render: Callable[[], bytes]) -> None:
        try:
            body = render()
        except TokenRefused as refused:
            self._send(HTTPStatus.FORBIDDEN, message_page("Link refused", str(refused)))
        except MissingUdRowError as missing:
            self._send(HTTPStatus.CONFLICT, message_page("Preferences not saved", str(missing)))
        except UnreachableError as down:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE,
                       message_page("iMIS is not answering", str(down)))  # fmt: skip
        except ConnectorError as problem:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR,
                       message_page("Preferences unavailable", str(problem)))  # fmt: skip
        except Exception:  # a bug of ours: the console's log has the details, the page a sentence
            LOG.exception("preference form %s failed", self.command)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, message_page(
                "Preferences unavailable", "The console could not show or save the preferences; "
                "the console's log has the details."))
        else:
            self._send(HTTPStatus.OK, body)


class PreferenceServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, engine: Engine, credentials: CredentialStore, clock: Clock, *,
                 host: str = "127.0.0.1", port: int = 0,
                 connector_for: Callable[..., Any] = build_connector) -> None:  # fmt: skip
        super().__init__((host, port), _Handler)
        self.engine, self.credentials, self.clock = engine, credentials, clock
        self.connector_for = connector_for
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def load(self, token: str):  # type: ignore[no-untyped-def]
        return load_form(self.engine, self.credentials, self.clock, token, self.connector_for)

    def save(self, token: str, ticked: list[str]):  # type: ignore[no-untyped-def]
        return save_form(self.engine, self.credentials, self.clock, token, ticked,
                         self.connector_for)  # fmt: skip

    def start(self) -> PreferenceServer:
        """Serve on a daemon thread (tests, the GUI); `serve_forever()` blocks instead."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="preferences-http", daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
