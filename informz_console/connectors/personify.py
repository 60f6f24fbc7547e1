"""The Personify360 connector: what it does and what it guarantees.

Personify360 is reached through Personify Data Services (PDS), OData v2 at
`{site}/PersonifyDataServices/PersonifyData.svc/`, JSON verbose, HTTP Basic on every request
(httpx; the password from the keyring). Entity sets and the writeback endpoint: DOMAIN.md,
Personify360, and `informz_console.sandbox.personify_http`.

What it does
- `test()` reads the MKT list and customer counts (`$inlinecount=allpages&$top=0`) and returns
  one sentence, e.g. "Connected to Personify Data Services at https://p.example.org: 5,000
  customers, 9 MKT lists."
- `list_groups()`: every MarketingList as a RemoteGroup: remote_key = ListCode, name =
  Description, created_at / modified_at in UTC, detail = {"regeneration_frequency",
  "last_regenerated_on" (ISO 8601 or ""), "stale": "yes"|"no"} where stale is
  `domain.freshness.is_stale` at the connector's clock (seed 001: "Data pulled into Informz will
  be up to date as of the last list refresh").
- `personalization_fields()`: the Name of every PersonalizationFields row.
- `group_members(list_code)`: the list's members joined to their CustomerInfos
  (`personify_records`: ams_id "MasterCustomerId-SubCustomerId", remote_opt_out = not (AllowEmail
  and AllowSolicitation) or DoNotSolicitByEmail, seed 001), streamed page by page through the
  server's `__next` links (`personify_streams`, join per `member_join`); `total` is the server's
  `__count` of members. An unknown list is a ConfigError, found before any member is read.
  `group_rows(list_code)`: the same pages as the customers' entities (`entity_row`), with
  `to_record`: a resync compares each entity with its last sync and builds records of the
  changed only (sync/member_rows).
- `write_back(ams_id, action, reason, when)`: POST `CustomerCommunicationUpdates`; action
  "unsubscribe" (Do Not Solicit by Email = true, Allow Email = false), "resubscribe" (both back),
  "bad_email" (the bad-email flag); returns the ActivityId Personify recorded.

Guarantees
- Every error a user can cause is a ConnectorError subclass with one sentence that never
  contains the password: ConfigError (settings, unknown list), AuthError (401/403),
  UnreachableError (refused, timed out, dropped, 5xx; transient), RemoteDataError (unreadable
  answers), UnknownCustomerError (a writeback for a customer Personify does not have).
- Memory is bounded by a few server pages whatever the list's size; `cancel` is checked before
  every page is handed out; a cancelled stream simply ends early (the caller, who owns
  `cancel`, knows it was cancelled and must not treat the partial stream as complete).
- Credentials go only to the configured site: `__next` links are re-based onto it.
- The connector may be used from several threads; each stream has its own page fetcher.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from informz_console.connectors.base import CancelCheck, MemberStream, never_cancelled
from informz_console.connectors.errors import ConnectorError
from informz_console.connectors.personify_odata import HttpClientFactory, ODataClient, ODataPage
from informz_console.connectors.personify_records import (
    date_text,
    entity_row,
    row_record,
    to_group,
    to_record,
)
from informz_console.connectors.personify_settings import PersonifySettings
from informz_console.connectors.personify_streams import (
    expanded_pages,
    filtered_pages,
    follow,
)
from informz_console.domain.clock import Clock, SystemClock
from informz_console.domain.records import RemoteGroup

__all__ = [
    "WRITEBACK_ACTIONS",
    "PersonifyConnector",
    "PersonifySettings",
    "UnknownCustomerError",
]

WRITEBACK_ACTIONS = ("unsubscribe", "resubscribe", "bad_email")
REASON_CHARS = 255


class UnknownCustomerError(ConnectorError):
    """A writeback names a customer Personify does not have (or an ams_id of the wrong shape)."""


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def split_ams_id(ams_id: str) -> tuple[str, int]:
    """'000000123456-0' -> ('000000123456', 0); UnknownCustomerError for any other shape."""
    master, sep, sub = (ams_id or "").strip().rpartition("-")
    if not sep or not master.strip() or not sub.isdigit():
        raise UnknownCustomerError(
            f"'{ams_id}' is not a Personify customer id; expected MasterCustomerId-SubCustomerId, "
            f"e.g. 000000123456-0."
        )
    return master.strip(), int(sub)


class PersonifyConnector:
    kind = "personify"

    def __init__(
        self,
        settings: PersonifySettings,
        password: str,
        *,
        http_client_factory: HttpClientFactory | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._odata = ODataClient(
            settings.site_url, settings.username, password, settings.timeout_s, http_client_factory
        )

    def close(self) -> None:
        self._odata.close()

    def __enter__(self) -> PersonifyConnector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- helpers -------------------------------------------------------------------------------
    def _all(self, entity_set: str, params: dict[str, str], what: str) -> list[dict]:
        """Every row of a small collection (lists, fields), following `__next`."""
        first = self._odata.page(entity_set, params, what)
        return [row for page in follow(self._odata, first, what, never_cancelled)
                for row in page.results]  # fmt: skip

    def _count(self, entity_set: str, what: str) -> int | None:
        page = self._odata.page(entity_set, {"$inlinecount": "allpages", "$top": "0"}, what)
        return page.count

    # -- Connector -----------------------------------------------------------------------------
    def test(self) -> str:
        lists = self._count("MarketingLists", "MKT list request")
        if lists is None:
            lists = len(self._all("MarketingLists", {"$select": "ListCode"}, "MKT list request"))
        customers = self._count("CustomerInfos", "customer count")
        counted = "" if customers is None else _plural(customers, "customer", "customers") + ", "
        return (
            f"Connected to Personify Data Services at {self.settings.site_url}: "
            f"{counted}{_plural(lists, 'MKT list', 'MKT lists')}."
        )

    def list_groups(self) -> list[RemoteGroup]:
        now = self.clock.now()
        rows = self._all("MarketingLists", {}, "MKT list request")
        groups = [to_group(row, now) for row in rows]
        return [g for g in groups if g.remote_key]

    def personalization_fields(self) -> list[str]:
        rows = self._all("PersonalizationFields", {}, "personalization field request")
        names = (str(row.get("Name") or "").strip() for row in rows)
        return list(dict.fromkeys(n for n in names if n))

    def group_members(self, remote_key: str, cancel: CancelCheck = never_cancelled) -> MemberStream:
        return self._members(remote_key, cancel, to_record)

    def group_rows(self, remote_key: str, cancel: CancelCheck = never_cancelled) -> MemberStream:
        """`group_members` as (AMS id, entity) rows, with `to_record` to make records of them."""
        stream = self._members(remote_key, cancel, entity_row)
        stream.to_record = row_record
        return stream

    def _members(self, remote_key: str, cancel: CancelCheck,
                 make: Callable[[dict], tuple]) -> MemberStream:
        code = remote_key.strip()
        what = f"members of MKT list '{code}'"
        self._odata.entity(
            f"MarketingLists({_literal(code)})",
            f"MKT list '{code}'",
            not_found=(
                f"The MKT list '{code}' does not exist in Personify at {self.settings.site_url}; "
                f"refresh the target group list."
            ),
        )
        params = {"$filter": f"ListCode eq {_literal(code)}", "$inlinecount": "allpages"}
        if self.settings.member_join == "expand":
            params["$expand"] = "CustomerInfo"
        else:
            params["$select"] = "MasterCustomerId,SubCustomerId"
        first = self._odata.page("MarketingListMembers", params, what)
        pages = follow(self._odata, first, what, cancel)
        size = self.settings.page_size
        if self.settings.member_join == "expand":
            records = expanded_pages(pages, code, size, self.settings.site_url, make)
        else:
            records = filtered_pages(pages, self._customers, size, make)
        return MemberStream(total=first.count, pages=records)

    def _customers(self, expression: str) -> list[dict]:
        what = "customer request"
        first: ODataPage = self._odata.page("CustomerInfos", {"$filter": expression}, what)
        return [row for page in follow(self._odata, first, what, never_cancelled, ahead=1)
                for row in page.results]  # fmt: skip

    # -- writebacks ----------------------------------------------------------------------------
    def write_back(self, ams_id: str, action: str, reason: str, when: datetime) -> int:
        """Send one writeback; returns the ActivityId Personify recorded for it."""
        if action not in WRITEBACK_ACTIONS:
            raise ValueError(f"Unknown Personify writeback {action!r}; use one of "
                             f"{', '.join(WRITEBACK_ACTIONS)}.")  # fmt: skip
        master, sub = split_ams_id(ams_id)
        body = {
            "MasterCustomerId": master,
            "SubCustomerId": sub,
            "Action": action,
            "Reason": (reason or "")[:REASON_CHARS],
            "Date": date_text(when),
        }
        created = self._odata.post(
            "CustomerCommunicationUpdates",
            body,
            f"{action} writeback for customer {ams_id}",
            not_found=(
                f"Personify at {self.settings.site_url} has no customer {ams_id}; the "
                f"writeback cannot be delivered."
            ),
            not_found_error=UnknownCustomerError,
        )
        try:
            return int(created["ActivityId"])
        except (KeyError, TypeError, ValueError):
            return 0
