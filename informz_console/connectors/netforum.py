"""The netFORUM Pro connector: what it does and what it guarantees.

netFORUM Pro is reached through xWeb, SOAP 1.1 at `{site}/xweb/secure/netForumXML.asmx`
(DOMAIN.md, netFORUM Pro): `Authenticate(userName, password)` gives a token in the SOAP header,
every later call sends the newest token and gets a new one back (netforum_xweb keeps it), and the
integration's read and write methods run through `ExecuteMethod` on the `InformzSync` service.

What it does
- `test()` signs in and lists the messaging job queries. Returns one sentence, e.g.
  "Connected to netFORUM Pro at https://x.netforumpro.com as informz_xweb: 9 messaging job
  queries."
- `list_groups()`: GetMessagingJobQueries as RemoteGroups: remote_key = QueryKey (a GUID),
  name, folder ("Informz/Chapters"), kind QUERY, created_at in UTC, detail {"last_used": ISO
  date in UTC or ""}. No member counts: seed 003, refreshing the target group list "does not
  refresh the counts"; only a group resync does.
- `personalization_fields()`: GetPersonalizationFields, the field names in netFORUM's order.
- `group_members(query_key)`: GetQueryMembers, whose whole result comes in one answer. It is
  streamed (never a DOM of it) and handed out as pages of `page_size` RemoteRecords: ams_id =
  CustomerKey, email exactly as stored, status = MemberStatus, names, company,
  remote_opt_out = DoNotEmail; `total` is the answer's recordReturn. The call returns once the
  answer has started (so a fault, a wrong query key or a dead server is raised here); the
  connection is released when the pages end or are abandoned.
- `write_back(ams_id, action, reason, when)`: WriteBack with action unsubscribe | resubscribe |
  bad_email; unsubscribe and bad email set Do Not Email = true, resubscribe sets it false.
  Returns Do Not Email as netFORUM now holds it. An unknown CustomerKey is an
  UnknownCustomerError (not worth retrying).

Guarantees
- Every error a user can cause is a ConnectorError subclass with one sentence that never
  contains the password: ConfigError (site URL, no InformzSync service, unknown query), AuthError
  (user name or password, a token refused even after signing in again), UnreachableError
  (refused, timed out, dropped, 5xx; transient), RemoteDataError (malformed XML, not xWeb).
- A stale or expired token is met by signing in again once and repeating the call.
- `cancel` is checked between pages; a cancelled stream simply ends early (the caller, who owns
  `cancel`, knows it was cancelled and must not treat the partial stream as complete).
- Calls are serialised by a lock (the token rotates); a member stream holds it only until the
  answer's new token is read, so other calls may run while the stream is consumed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from informz_console.connectors.base import CancelCheck, MemberStream, never_cancelled
from informz_console.connectors.errors import RemoteDataError
from informz_console.connectors.netforum_errors import UnknownCustomerError
from informz_console.connectors.netforum_records import flag, member_pages, to_group
from informz_console.connectors.netforum_settings import NetforumSettings
from informz_console.connectors.netforum_xweb import SERVICE, HttpClientFactory, XWebClient
from informz_console.domain.records import RemoteGroup

__all__ = [
    "SERVICE",
    "WRITEBACK_ACTIONS",
    "NetforumConnector",
    "NetforumSettings",
    "UnknownCustomerError",
]

WRITEBACK_ACTIONS = ("unsubscribe", "resubscribe", "bad_email")
MAX_REASON = 255


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


class NetforumConnector:
    kind = "netforum"

    def __init__(
        self,
        settings: NetforumSettings,
        password: str,
        *,
        http_client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.settings = settings
        self._xweb = XWebClient(settings, password, http_client_factory)

    def close(self) -> None:
        self._xweb.close()

    def __enter__(self) -> NetforumConnector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- Connector -----------------------------------------------------------------------------
    def test(self) -> str:
        self._xweb.authenticate()
        queries = self._xweb.execute("GetMessagingJobQueries", {})
        return (
            f"Connected to netFORUM Pro at {self.settings.site_url} as {self.settings.username}: "
            f"{_plural(len(queries), 'messaging job query', 'messaging job queries')}."
        )

    def list_groups(self) -> list[RemoteGroup]:
        rows = self._xweb.execute("GetMessagingJobQueries", {})
        return [to_group(row, self.settings.site_url) for row in rows]

    def personalization_fields(self) -> list[str]:
        rows = self._xweb.execute("GetPersonalizationFields", {})
        return [name for row in rows if (name := (row.get("FieldName") or "").strip())]

    def group_members(self, remote_key: str, cancel: CancelCheck = never_cancelled) -> MemberStream:
        stream = self._xweb.stream("GetQueryMembers", {"QueryKey": remote_key}, subject=remote_key)
        return MemberStream(
            total=stream.total, pages=member_pages(stream, self.settings.page_size, cancel)
        )

    # -- writebacks ----------------------------------------------------------------------------
    def write_back(
        self, ams_id: str, action: str, reason: str = "", when: datetime | date | None = None
    ) -> bool:
        """Send one writeback; returns Do Not Email as netFORUM now holds it."""
        if action not in WRITEBACK_ACTIONS:
            raise ValueError(f"Unknown netFORUM writeback action {action!r}.")
        params = {
            "CustomerKey": ams_id,
            "Action": action,
            "Date": _stamp(when or datetime.now(UTC)),
            "Reason": (reason or "")[:MAX_REASON],
        }
        rows = self._xweb.execute("WriteBack", params, subject=ams_id, idempotent=False)
        if len(rows) != 1 or "DoNotEmail" not in rows[0]:
            raise RemoteDataError(
                f"netFORUM at {self.settings.site_url} answered the WriteBack call without the "
                f"customer's Do Not Email; check the InformzSync service's WriteBack method."
            )
        return flag(rows[0]["DoNotEmail"])


def _stamp(when: datetime | date) -> str:
    if not isinstance(when, datetime):
        when = datetime.combine(when, time(), tzinfo=UTC)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
