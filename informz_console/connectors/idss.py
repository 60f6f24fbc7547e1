"""The iDSS connector: what it does and what it guarantees.

iDSS is reached over its REST JSON API at `{site}/api/v1` (DOMAIN.md, iDSS) with httpx; every call
carries the bridge's API key (from the keyring) in the `X-Api-Key` header.

What it does
- `test()` reads the distribution lists and the change feed's head. Returns one sentence, e.g.
  "Connected to iDSS at https://assoc.idss.example: 6 distribution lists, the largest with 5,000
  contacts."
- `list_groups()`: one RemoteGroup per distribution list, kind INTEREST (seed 002: "creates a
  corresponding interest-based target group"): remote_key = the list id as text, name, folder
  ('' at the top), created_at / modified_at in UTC, detail {"contact_count": "5000"}.
- `personalization_fields()`: the contact fields iDSS sends (first_name, last_name, company,
  email).
- `group_members(list_id)`: the list's contacts by cursor paging, `page_size` per page (at most
  1,000), the next page fetched while the caller handles this one. Each contact is a RemoteRecord:
  ams_id = the contact id as text, email exactly as stored, status None, names, company,
  `deactivated = not active` (seed 002: a deactivated contact leaves the target group; iDSS keeps
  it on the list, the sync removes it), `fields["informz_code"]` when iDSS has one. `total` is the
  list's contact count from the first page.
- `changes(since)`: the change feed above `since` as `ChangeBatch(pages, next_since)`: pages of
  IdssChange in seq order up to the feed's head when the call was made (`next_since`). Store
  `next_since` only after reading every page; a cancelled read ends early, and the last change
  handled gives the position to keep.
- `latest_seq()`: the feed's head (record it before a full resync of a list, then follow from it).
- `follow(since, on_change, stop_event)`: polls the feed every `poll_s` seconds until `stop_event`
  is set, calling `on_change(change)` for each change in order; returns the position reached.
  This is the console's "real time" while it is open (seed 002: "This occurs in real time").
  With `on_error`, a ConnectorError is handed to it and polling goes on; without, it is raised.
- `write_informz_code(contact_id, code)`: PATCH `contacts/{id}` `{"informz_code": code}`, the only
  write the platform makes to iDSS (seed 002: "a one-way street ... except the subscriber id").
  iDSS refusing that one contact raises ContactSyncError with `.request` (the PATCH as sent, no
  key) and `.system_error` (iDSS's error text): the red contact of seed 002.

Guarantees
- Every error is a ConnectorError subclass with one sentence that never contains the API key:
  ConfigError (settings, unknown list), AuthError (key refused), UnreachableError (refused, timed
  out, dropped, 5xx; transient), RemoteDataError (unreadable answers), ContactSyncError (one
  contact's writeback).
- `cancel` is checked between pages; a cancelled stream simply ends early (the caller, who owns
  `cancel`, knows it was cancelled and must not treat the partial stream as complete).
- Memory is bounded by about two pages whatever the list's size.
- The connector is safe to use from several threads (follow() on one, syncs on another).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import NamedTuple
from urllib.parse import quote

from informz_console.connectors.base import CancelCheck, MemberStream, never_cancelled
from informz_console.connectors.errors import ConnectorError, RemoteDataError
from informz_console.connectors.idss_errors import ContactSyncError, SentRequest
from informz_console.connectors.idss_http import HttpClientFactory, IdssHttpClient
from informz_console.connectors.idss_records import (
    INFORMZ_CODE,
    ChangesPage,
    ContactsPage,
    IdssChange,
    IdssChangeKind,
    parse_changes_page,
    parse_contacts_page,
    to_group,
    to_record,
)
from informz_console.connectors.idss_settings import MAX_PAGE_SIZE, IdssSettings
from informz_console.connectors.idss_streams import change_pages, contact_pages
from informz_console.domain.records import RemoteGroup

__all__ = [
    "INFORMZ_CODE",
    "MAX_PAGE_SIZE",
    "ChangeBatch",
    "ContactSyncError",
    "IdssChange",
    "IdssChangeKind",
    "IdssConnector",
    "IdssSettings",
    "SentRequest",
]

PERSONALIZATION_FIELDS = ("first_name", "last_name", "company", "email")


class ChangeBatch(NamedTuple):
    """`pages, next_since = connector.changes(since)`."""

    pages: Iterator[list[IdssChange]]
    next_since: int


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class IdssConnector:
    kind = "idss"

    def __init__(
        self,
        settings: IdssSettings,
        api_key: str,
        *,
        http_client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.settings = settings
        self._http = IdssHttpClient(settings, api_key, http_client_factory)

    @property
    def site(self) -> str:
        return self.settings.site_url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> IdssConnector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- Connector -----------------------------------------------------------------------------
    def test(self) -> str:
        lists = self._lists()
        self.latest_seq()
        if not lists:
            return f"Connected to iDSS at {self.site}: no distribution lists yet."
        counts = [int(g.detail.get("contact_count", 0)) for g in lists]
        return (
            f"Connected to iDSS at {self.site}: "
            f"{_plural(len(lists), 'distribution list', 'distribution lists')}, the largest with "
            f"{_plural(max(counts), 'contact', 'contacts')}."
        )

    def list_groups(self) -> list[RemoteGroup]:
        return self._lists()

    def personalization_fields(self) -> list[str]:
        return list(PERSONALIZATION_FIELDS)

    def group_members(self, remote_key: str, cancel: CancelCheck = never_cancelled) -> MemberStream:
        list_id = str(remote_key).strip()
        first = self._contacts_page(list_id, None)
        pages = contact_pages(
            lambda cursor: self._contacts_page(list_id, cursor),
            first,
            cancel,
            site=self.site,
            list_id=list_id,
        )
        return MemberStream(total=first.total, pages=pages)

    # -- the change feed -----------------------------------------------------------------------
    def changes(self, since: int, cancel: CancelCheck = never_cancelled) -> ChangeBatch:
        since = int(since)
        first = self._changes_page(since, self.settings.page_size)
        head = first.latest_seq
        if head < since:
            raise RemoteDataError(
                f"iDSS at {self.site} reports its change feed at seq {head}, behind the "
                f"console's position {since}; resync the distribution lists."
            )
        fetch = lambda position: self._changes_page(position, self.settings.page_size)  # noqa: E731
        pages = change_pages(fetch, first, since, head, cancel, site=self.site)
        return ChangeBatch(pages, head)

    def latest_seq(self) -> int:
        return self._changes_page(0, 0).latest_seq

    def follow(
        self,
        since: int,
        on_change: Callable[[IdssChange], object],
        stop_event: threading.Event,
        poll_s: float = 2.0,
        *,
        on_error: Callable[[ConnectorError], object] | None = None,
    ) -> int:
        """Poll the change feed until `stop_event` is set; returns the position reached (the
        seq of the last change handed to `on_change`, or the feed's head after a full read)."""
        position = int(since)
        while not stop_event.is_set():
            try:
                pages, head = self.changes(position, cancel=stop_event.is_set)
                for page in pages:
                    for change in page:
                        on_change(change)
                        position = change.seq
                if not stop_event.is_set():
                    position = max(position, head)
            except ConnectorError as err:
                if on_error is None:
                    raise
                on_error(err)
            stop_event.wait(poll_s)
        return position

    # -- the one write (seed 002) --------------------------------------------------------------
    def write_informz_code(self, contact_id: str | int, code: str) -> None:
        contact = str(contact_id).strip()
        if not contact:
            raise ValueError("write_informz_code needs a contact id.")
        if not isinstance(code, str) or not code.strip():
            raise ValueError("write_informz_code needs a non-empty Informz code.")
        path = f"/contacts/{quote(contact, safe='')}"
        body = json.dumps({INFORMZ_CODE: code}, separators=(",", ":"), ensure_ascii=False)
        request = SentRequest("PATCH", self._http.api_path(path), body)
        response = self._http.send(
            "PATCH",
            path,
            content=body.encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        status = response.status_code
        what = f"Informz code writeback of contact {contact}"
        if status == 204:
            return
        if status == 200:
            self._http.json(response, what)  # a sign-in page or a proxy's HTML is no success
            return
        if status in (401, 403):
            raise self._http.status_error(response, what)
        system_error = self._http.error_text(response)
        if system_error is None:
            if status >= 500:
                raise self._http.status_error(response, what)
            snippet = _one_line(response.text or "")
            system_error = f"{status} {response.reason_phrase}".strip() + (
                f": {snippet}" if snippet else ""
            )
        raise ContactSyncError(
            f"iDSS did not save the Informz code of contact {contact} (it answered {status}: "
            f"{_one_line(system_error).rstrip('.')}).",
            contact_id=contact,
            request=request,
            system_error=system_error,
            status=status,
        )

    # -- pages ---------------------------------------------------------------------------------
    def contact(self, contact_id: str | int) -> IdssChange:
        """One contact as iDSS holds it now, with its lists: what an uncheck/recheck of a list
        resyncs (seed 002)."""
        data = self._http.get_json(
            f"/contacts/{quote(str(contact_id), safe='')}",
            f"contact {contact_id}",
            not_found=f"There is no iDSS contact {contact_id} at {self.site}.",
        )
        try:
            lists = tuple(str(item) for item in data["lists"])
            return IdssChange(0, to_record(data), lists, IdssChangeKind.UPDATED)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RemoteDataError(
                f"iDSS at {self.site} answered contact {contact_id} without the expected fields "
                f"(id, email, active, lists)."
            ) from None

    def _lists(self) -> list[RemoteGroup]:
        data = self._http.get_json("/distribution-lists", "distribution lists")
        try:
            return [to_group(item) for item in data["distribution_lists"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RemoteDataError(
                f"iDSS at {self.site} answered the distribution lists without the expected "
                f"fields (distribution_lists with id and name)."
            ) from None

    def _contacts_page(self, list_id: str, cursor: str | None) -> ContactsPage:
        params: dict[str, object] = {"limit": self.settings.page_size}
        if cursor is not None:
            params["cursor"] = cursor
        data = self._http.get_json(
            f"/distribution-lists/{quote(list_id, safe='')}/contacts",
            f"contacts of distribution list {list_id}",
            params,
            not_found=(
                f"The iDSS distribution list {list_id} does not exist at {self.site}; refresh "
                f"the target group list."
            ),
        )
        return parse_contacts_page(data, self.site, list_id)

    def _changes_page(self, since: int, limit: int) -> ChangesPage:
        data = self._http.get_json("/changes", "change feed", {"since": since, "limit": limit})
        return parse_changes_page(data, self.site)
