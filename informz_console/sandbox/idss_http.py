"""The iDSS REST stand-in on 127.0.0.1: JSON at `/api/v1`, API key in the `X-Api-Key` header.

Every `/api/v1` request needs the key (missing or wrong -> 401 `{"error": ...}`). Errors are JSON
`{"error": "<one sentence>"}` with a 4xx/5xx status.

- `GET distribution-lists` -> `{"distribution_lists": [{"id", "name", "folder" (null at the top),
  "created", "modified", "contact_count"}]}`, by id.
- `GET distribution-lists/{id}/contacts?cursor=&limit=` -> `{"list_id", "total", "contacts":
  [contact], "next_cursor"}`: contacts by id; `limit` defaults to 100, at most 1000; pass the
  previous page's opaque `next_cursor` (null on the last page); a cursor from another list or
  not one of ours -> 400; an unknown list -> 404.
  A contact: `{"id", "email", "first_name", "last_name", "company", "active", "informz_code",
  "modified"}`; `active` false = deactivated (seed 002: it leaves the target group);
  `informz_code` null until the platform writes it back. Deactivated contacts stay on their lists.
- `GET changes?since=<seq>&limit=` -> `{"changes": [{"seq", "kind", "contact_id", "list_ids",
  "changed", "contact", "old_email"?}], "next_since", "latest_seq", "has_more"}`: entries with
  seq > since in seq order; `kind` is created | updated | deactivated | list_added |
  list_removed; `list_ids` are the lists added or removed for list_added / list_removed, else the
  contact's lists at the time; `contact` is the contact's current state; `old_email` is present
  on an update that changed the email. `next_since` is the last seq returned (`since` when none),
  `latest_seq` the feed's newest seq. `limit` defaults to 100, at most 1000; 0 only reports
  `latest_seq`.
- `GET contacts/{id}` -> the contact with `lists` (its list ids); an unknown contact -> 404.
- `PATCH contacts/{id}` `{"informz_code": "..."}` -> 200 with the contact. The only write the
  platform makes (seed 002: sync is one-way): a body with any other field -> 400, a code that is
  not a non-empty string of at most 64 characters -> 400, an unknown contact -> 404, a contact
  set to fail (`patch_failures`) -> that status with its system error. Every PATCH that reaches
  the API (faults aside) is written to `patch_log` with its path, body, status and error.

Fault switches and latency: see `fault_http` ("drop" cuts a contacts page short).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from informz_console.sandbox.fault_http import FAIL_MODES, FaultHandler, FaultPlan, FaultServer
from informz_console.sandbox.idss_db import IdssDb

__all__ = ["API", "FAIL_MODES", "FaultPlan", "IdssHttpServer"]

API = "/api/v1"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_CODE = 64
WRITABLE = ("informz_code",)

_JSON = "application/json; charset=utf-8"
_GARBAGE = b"<!DOCTYPE html><html><head><title>iDSS - Sign In</title></head><body></body></html>"
_LISTS = re.compile(r"^/distribution-lists/?$")
_LIST_CONTACTS = re.compile(r"^/distribution-lists/([^/]+)/contacts/?$")
_CHANGES = re.compile(r"^/changes/?$")
_CONTACT = re.compile(r"^/contacts/([^/]+)/?$")


def encode_cursor(list_id: int, after: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{list_id}:{after}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, list_id: int) -> int | None:
    """The contact id a cursor continues after; None when it is not a cursor of this list."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, cursor_list, after = text.split(":")
        if version != "v1" or int(cursor_list) != list_id:
            return None
        return int(after)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


class _ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class IdssHttpServer(FaultServer):
    def __init__(self, port: int, db_path: str | Path, api_key: str) -> None:
        super().__init__(port, _Handler)
        self.db = IdssDb(db_path)
        self.api_key = api_key

    def stop(self) -> None:
        super().stop()
        self.db.close()


def _int(value: str | None, name: str, default: int, low: int, high: int | None = None) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise _ApiError(400, f"The {name} parameter must be a whole number.") from None
    if number < low:
        raise _ApiError(400, f"The {name} parameter must be at least {low}.")
    return number if high is None else min(number, high)


class _Handler(FaultHandler):
    server: IdssHttpServer
    garbage_body = _GARBAGE
    drop_prefix = b'{"contacts": [{"id": 500001, "email": "'
    json_options = {"ensure_ascii": False}

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve("GET", b"")

    def do_PATCH(self) -> None:  # noqa: N802
        self._serve("PATCH", self._body())

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST", self._body())

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT", self._body())

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE", self._body())

    # -- routing -------------------------------------------------------------------------------
    def _serve(self, method: str, body: bytes) -> None:
        if self._faulted():
            return
        url = urlsplit(self.path)
        if not (url.path == API or url.path.startswith(API + "/")):
            return self._json(404, {"error": f"No resource at {url.path}; the API is at {API}."})
        given = self.headers.get("X-Api-Key", "")
        if not given or not secrets.compare_digest(given.encode(), self.server.api_key.encode()):
            return self._json(401, {"error": "A valid API key is required (X-Api-Key header)."})
        route = url.path[len(API) :]
        params = {k.lower(): v[0] for k, v in parse_qs(url.query).items()}
        try:
            if _LISTS.match(route):
                self._only(method, "GET")
                return self._json(200, {"distribution_lists": self.server.db.lists()})
            if match := _LIST_CONTACTS.match(route):
                self._only(method, "GET")
                return self._contacts(match.group(1), params)
            if _CHANGES.match(route):
                self._only(method, "GET")
                return self._changes(params)
            if (match := _CONTACT.match(route)) and method == "GET":
                return self._contact(match.group(1))
            if match := _CONTACT.match(route):
                self._only(method, "PATCH")
                return self._patch(url.path, match.group(1), body)
            raise _ApiError(404, f"No resource at {url.path}.")
        except _ApiError as err:
            self._json(err.status, {"error": err.message})
        except sqlite3.Error:
            self._json(500, {"error": "An internal error occurred in iDSS."})

    def _contact(self, contact_text: str) -> None:
        """GET contacts/{id}: one contact with the ids of its lists (a console's "resync this
        contact" reads it)."""
        contact = self.server.db.contact(int(contact_text)) if contact_text.isdigit() else None
        if contact is None:
            raise _ApiError(404, f"Contact '{contact_text}' does not exist.")
        contact["lists"] = self.server.db.contact_lists(int(contact_text))
        self._json(200, contact)

    @staticmethod
    def _only(method: str, allowed: str) -> None:
        if method != allowed:
            raise _ApiError(405, f"This resource only answers {allowed}.")

    def _contacts(self, list_text: str, params: dict[str, str]) -> None:
        if not list_text.isdigit():
            raise _ApiError(404, f"Distribution list '{list_text}' does not exist.")
        list_id = int(list_text)
        limit = _int(params.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        after = 0
        if params.get("cursor"):
            decoded = decode_cursor(params["cursor"], list_id)
            if decoded is None:
                raise _ApiError(400, "The cursor is not one this distribution list gave out.")
            after = decoded
        page = self.server.db.contacts_page(list_id, after, limit)
        if page is None:
            raise _ApiError(404, f"Distribution list {list_id} does not exist.")
        total, contacts, last, more = page
        next_cursor = encode_cursor(list_id, last) if more and last is not None else None
        head = json.dumps({"list_id": list_id, "total": total, "next_cursor": next_cursor})
        body = head[:-1] + ', "contacts": [' + ",".join(contacts) + "]}"
        self._send(200, body.encode("utf-8"), _JSON)

    def _changes(self, params: dict[str, str]) -> None:
        since = _int(params.get("since"), "since", 0, 0)
        limit = _int(params.get("limit"), "limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
        changes, latest = self.server.db.changes_page(since, limit)
        next_since = changes[-1]["seq"] if changes else since
        self._json(
            200,
            {
                "changes": changes,
                "next_since": next_since,
                "latest_seq": latest,
                "has_more": next_since < latest,
            },
        )

    def _patch(self, path: str, contact_text: str, body: bytes) -> None:
        text = body.decode("utf-8", "replace")
        try:
            status, payload = self._apply_patch(contact_text, text)
        except _ApiError as err:
            status, payload = err.status, {"error": err.message}
        self.server.db.log_patch("PATCH", path, text, status, payload.get("error"))
        self._json(status, payload)

    def _apply_patch(self, contact_text: str, text: str) -> tuple[int, dict]:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise _ApiError(400, "The request body must be a JSON object.")
        others = sorted(k for k in data if k not in WRITABLE)
        if others:
            raise _ApiError(
                400,
                f"Only informz_code can be changed through the API; {', '.join(others)} "
                f"{'is' if len(others) == 1 else 'are'} managed in iDSS.",
            )
        code = data.get("informz_code")
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE:
            raise _ApiError(
                400, f"informz_code must be a non-empty string of at most {MAX_CODE} characters."
            )
        contact_id = int(contact_text) if contact_text.isdigit() else None
        if contact_id is None or self.server.db.contact(contact_id) is None:
            raise _ApiError(404, f"Contact '{contact_text}' does not exist.")
        failure = self.server.db.patch_failure(contact_id)
        if failure is not None:
            raise _ApiError(*failure)
        return 200, self.server.db.set_informz_code(contact_id, code) or {}
