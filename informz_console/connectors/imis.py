"""The iMIS connector: what it does and what it guarantees.

iMIS is reached two ways (DOMAIN.md, iMIS): its SQL database over ODBC (pyodbc; the bridge's
connection string, the password from the keyring appended as PWD only when the string names a
UID) and its REST API over HTTP(S) (httpx; OAuth password grant at `{site}/token` once, then
`Authorization: Bearer`; a 401 signs in again once).

What it does
- `test()` checks both: the tables the integration needs exist, the configured UD table exists,
  and the REST user can sign in. Returns one sentence, e.g.
  "Connected to iMIS at https://imis.example.org: 5,000 people, 6 IQA queries."
- `list_groups()` lists the published IQA queries (`DocumentMain`, DocumentTypeCode 'IQD',
  DocumentStatusCode 40) as RemoteGroups: remote_key = the query path (`$/Informz/Board`),
  folder = its folder, created_at / modified_at in UTC.
- `personalization_fields()`: the text columns of `Name`, from the catalogue.
- `group_members(path)`: the IQA's member IDs from `/api/iqa` in pages of `page_size` (at most
  500), each page joined over ODBC to Name and the email source (seed 000: "Name.Email or
  Name_Address.Email+Purpose and Preferred status") with one `WHERE ID IN (...)` query. Pages
  after the first are fetched ahead on a small thread pool while the database is read, and are
  yielded in IQA order (a group of IQA_PROCESS_FROM members or more: by a process of its
  own, connectors/imis_iqa_process). `total` is TotalCount from the first page. Memory is
  bounded by a few pages whatever the group's size. IDs repeated on adjacent pages are
  dropped; IDs no longer in Name are skipped. `group_rows(path)`: the same pages as the
  database's rows, with `to_record` (a resync builds records only of the rows that changed).
- `changes_since(seqn)`: Informz_Changes rows above the high-water mark, in SEQN order, each
  joined to the person's current state through the email source ('D', or a person no longer in
  Name, gives a record with the ID and email None). Read in SEQN windows up to the MAX(SEQN)
  seen at the start, so memory stays bounded and later changes wait for the next call.
- `rebuild_changes()`: full refresh (seed 000) in one transaction: delete every Informz_Changes
  row, insert one 'A' row per Name whose STATUS is accepted; returns the rows inserted. Roles
  (staff only) are the caller's business.
- `high_water()`: MAX(SEQN) of Informz_Changes (0 when empty).
- `write_activities(rows)`: Activity rows with SEQNs from Counter 'Activity' (never
  MAX(SEQN)+1), in one transaction; returns the SEQNs.
- `set_ud_flag(ams_id, field, value)`: updates a checkbox of an existing UD row; a missing row
  raises MissingUdRowError (seed 004: iMIS never creates it, so neither do we). An optional
  ActivityRow is written in the same transaction.
- `ud_checkbox_fields()`: (table, field) of every bit column of the UD tables (the configured
  table and those starting with `ud_table_prefix`), for IPM discovery.
- `read_ud_flags(ams_id, fields)` / `set_ud_flags(ams_id, values)`: one ID's chosen remote
  interests, for the IPM preference form; a missing UD row reads as None and is never created.

Guarantees
- SQL values are always bound parameters. Table and field names from configuration are looked
  up in the ODBC catalogue first and only the catalogue's spelling is quoted into SQL; an
  unknown name is a ConfigError ("Table 'X' does not exist in the iMIS database; ...").
- Every error a user can cause is a ConnectorError subclass with one sentence that never
  contains the password: ConfigError (settings), AuthError (credentials), UnreachableError
  (refused, timed out, dropped, 5xx, locked; transient), RemoteDataError (unreadable answers).
- `cancel` is checked between pages; a cancelled stream simply ends early (the caller, who owns
  `cancel`, knows it was cancelled and must not treat the partial stream as complete).
- The SQL is portable between SQL Server and the SQLite sandbox (no TOP/LIMIT, TRIM, or
  vendor functions).
- Calls on one connector are serialised by a lock; each stream has its own ODBC connection, so
  a stream may be consumed (on any one thread) while other calls are made.
- DocumentMain dates carry no zone; they are read as UTC (an offset of a few hours does not
  change the seven-day and ninety-day rules they feed).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from informz_console.connectors.base import (
    CancelCheck,
    ChangeStream,
    MemberStream,
    never_cancelled,
)
from informz_console.connectors.errors import ConfigError
from informz_console.connectors.imis_interests import (
    checked_id_pages,
    count_checked,
    interest_groups,
    is_interest_key,
    resolve,
)
from informz_console.connectors.imis_iqa_process import IQA_PROCESS_FROM, iqa_pages_in_process
from informz_console.connectors.imis_odbc import OdbcSession
from informz_console.connectors.imis_records import PeopleReader, read_changes, to_record
from informz_console.connectors.imis_records import rebuild_changes as _rebuild_changes
from informz_console.connectors.imis_rest import HttpClientFactory, ImisRestClient
from informz_console.connectors.imis_settings import ImisSettings
from informz_console.connectors.imis_streams import closing, iqa_pages, member_pages
from informz_console.connectors.imis_ud import read_ud_flags, set_ud_flags
from informz_console.connectors.imis_writeback import (
    ACTIVITY_TYPES,
    ActivityRow,
    MissingUdRowError,
    set_ud_flag,
    ud_checkbox_fields,
    write_activities,
)
from informz_console.domain.records import GroupKind, RemoteGroup

__all__ = [
    "ACTIVITY_TYPES",
    "ActivityRow",
    "ImisConnector",
    "ImisSettings",
    "MissingUdRowError",
]

PUBLISHED_IQA = 40
REQUIRED_TABLES = ("Name", "Name_Address", "Activity", "Counter", "DocumentMain")
_MAX_SEQN = "SELECT MAX(SEQN) FROM Informz_Changes"
_NOT_IMIS = "check that the connection string points at the iMIS database"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _utc(value: object) -> datetime | None:
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) else None


class ImisConnector:
    kind = "imis"

    def __init__(
        self,
        settings: ImisSettings,
        password: str,
        *,
        http_client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.settings = settings
        self._password = password
        self._lock = threading.RLock()
        self._db = self._new_session()
        self._http_client_factory = http_client_factory
        self._rest = ImisRestClient(
            settings.site_url,
            settings.username,
            password,
            settings.timeout_s,
            http_client_factory,
        )

    def _new_session(self) -> OdbcSession:
        s = self.settings
        return OdbcSession(s.connection_string, self._password, s.has_database_user, s.timeout_s)

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._rest.close()

    def __enter__(self) -> ImisConnector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- Connector -----------------------------------------------------------------------------
    def test(self) -> str:
        with self._lock:
            tables = self._db.tables(refresh=True)
            for table in REQUIRED_TABLES:
                if table.casefold() not in tables:
                    raise ConfigError(
                        f"The database the connection string reaches has no iMIS {table} table; "
                        f"{_NOT_IMIS}."
                    )
            if "informz_changes" not in tables:
                raise ConfigError(
                    "The iMIS database has no Informz_Changes table; install the integration's "
                    "change table and triggers first."
                )
            if self.settings.ud_table:
                self._db.resolve_table(self.settings.ud_table)
            people = int(self._db.scalar("SELECT COUNT(*) FROM Name", (), "count people"))
            queries = int(
                self._db.scalar(
                    "SELECT COUNT(*) FROM DocumentMain WHERE DocumentTypeCode = 'IQD'"
                    " AND DocumentStatusCode = ?",
                    [PUBLISHED_IQA],
                    "count IQA queries",
                )
            )
        self._rest.authenticate()
        return (
            f"Connected to iMIS at {self.settings.site_url}: {_plural(people, 'person', 'people')}"
            f", {_plural(queries, 'IQA query', 'IQA queries')}."
        )

    def list_groups(self) -> list[RemoteGroup]:
        sql = (
            "SELECT DocumentKey, DocumentName, FolderPath, CreatedOn, UpdatedOn FROM DocumentMain"
            " WHERE DocumentTypeCode = 'IQD' AND DocumentStatusCode = ?"
            " ORDER BY FolderPath, DocumentName"
        )
        with self._lock:
            cursor = self._db.cursor()
            try:
                rows = self._db.fetch_all(cursor, sql, [PUBLISHED_IQA], "list IQA queries")
            finally:
                cursor.close()
        interests = (interest_groups(self.settings.remote_interests, self.ud_checkbox_fields())
                     if self.settings.remote_interests else [])
        return interests + [
            RemoteGroup(
                remote_key=f"{folder.rstrip('/')}/{name}",
                name=name,
                folder=folder,
                kind=GroupKind.QUERY,
                created_at=_utc(created),
                modified_at=_utc(updated),
                detail={"document_key": str(key)},
            )
            for key, name, folder, created, updated in rows
        ]

    def personalization_fields(self) -> list[str]:
        with self._lock:
            name = self._db.resolve_table("Name", hint=_NOT_IMIS)
            return [c.name for c in self._db.columns(name) if c.is_text]

    def group_members(self, remote_key: str, cancel: CancelCheck = never_cancelled) -> MemberStream:
        return self._members(remote_key, cancel, rows=False)

    def group_rows(self, remote_key: str, cancel: CancelCheck = never_cancelled) -> MemberStream:
        """`group_members` as the database's rows, with `to_record` to make records of them:
        a resync compares each row with its last sync and builds records of the changed only."""
        stream = self._members(remote_key, cancel, rows=True)
        stream.to_record = to_record
        return stream

    def _members(self, remote_key: str, cancel: CancelCheck, *, rows: bool) -> MemberStream:
        if is_interest_key(remote_key):
            return self._interest_members(remote_key, cancel, rows)
        first = self._rest.iqa_page(remote_key, 0, self.settings.page_size)
        reader_session = self._new_session()
        try:
            reader_session.connection()  # fail now, not on the first page
        except BaseException:
            reader_session.close()
            raise
        reader = PeopleReader(reader_session, self.settings.email_source)
        size = self.settings.page_size
        if first.total >= IQA_PROCESS_FROM and self._http_client_factory is None:
            s = self.settings
            sign_in = (s.site_url, s.username, self._password, s.timeout_s)
            pages = iqa_pages_in_process(sign_in, remote_key, first, size, cancel)
        else:
            pages = iqa_pages(self._rest, remote_key, first, size, cancel)
        return MemberStream(total=first.total,
                            pages=member_pages(pages, reader, reader_session, rows=rows))

    def _interest_members(self, remote_key: str, cancel: CancelCheck, rows: bool) -> MemberStream:
        """IPM: the people whose UD checkbox is checked, read over ODBC (seed 004)."""
        table, field = resolve(remote_key, self.ud_checkbox_fields())
        session = self._new_session()
        try:
            total = count_checked(session, table, field)
        except BaseException:
            session.close()
            raise
        reader = PeopleReader(session, self.settings.email_source)
        pages = checked_id_pages(session, table, field, self.settings.page_size, cancel)
        return MemberStream(total=total, pages=member_pages(pages, reader, session, rows=rows))

    # -- ChangeFeedConnector -------------------------------------------------------------------
    def changes_since(self, seqn: int, cancel: CancelCheck = never_cancelled) -> ChangeStream:
        session = self._new_session()
        try:
            upto = int(session.scalar(_MAX_SEQN, (), "read SEQNs") or 0)
            total = int(
                session.scalar(
                    "SELECT COUNT(*) FROM Informz_Changes WHERE SEQN > ? AND SEQN <= ?",
                    [seqn, upto],
                    "count changes",
                )
            )
        except BaseException:
            session.close()
            raise
        changes = read_changes(
            session, self.settings.email_source, seqn, upto, self.settings.page_size, cancel
        )
        return ChangeStream(total=total, pages=closing(changes, session))

    def rebuild_changes(self) -> int:
        with self._lock:
            return _rebuild_changes(
                self._db, self.settings.email_source, self.settings.accepted_statuses
            )

    def high_water(self) -> int:
        with self._lock:
            value = self._db.scalar(_MAX_SEQN, (), "read SEQNs")
        return int(value or 0)

    # -- writebacks ----------------------------------------------------------------------------
    def write_activities(self, rows: Sequence[ActivityRow]) -> list[int]:
        with self._lock:
            return write_activities(self._db, list(rows))

    def set_ud_flag(
        self,
        ams_id: str,
        field: str,
        value: bool,
        *,
        table: str | None = None,
        activity: ActivityRow | None = None,
    ) -> int | None:
        """Set one UD checkbox; returns the SEQN of `activity` when one is written with it."""
        table = table or self.settings.ud_table
        if not table:
            raise ConfigError(
                "No UD table is set for this bridge; choose the UD table in the bridge settings."
            )
        with self._lock:
            return set_ud_flag(self._db, table, ams_id, field, value, activity)

    def ud_checkbox_fields(self) -> list[tuple[str, str]]:
        with self._lock:
            return ud_checkbox_fields(
                self._db, self.settings.ud_table, self.settings.ud_table_prefix
            )

    def read_ud_flags(
        self, ams_id: str, fields: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], bool | None]:
        with self._lock:
            return read_ud_flags(self._db, ams_id, fields)

    def set_ud_flags(self, ams_id: str, values: dict[tuple[str, str], bool]) -> None:
        with self._lock:
            set_ud_flags(self._db, ams_id, values)
