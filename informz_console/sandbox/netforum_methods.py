"""The `InformzSync` xWeb service the sandbox runs through ExecuteMethod, over its SQLite file.

- `GetMessagingJobQueries()` -> rows QueryKey, QueryName, Folder, CreatedDate, LastUsedDate (the
  active queries, by folder and name; no member counts: seed 003, refreshing the list "does not
  refresh the counts");
- `GetPersonalizationFields()` -> rows FieldName, DataType;
- `GetQueryMembers(QueryKey)` -> rows of MEMBER_COLUMNS by RecordNumber, the whole result in one
  answer (the server streams it);
- `WriteBack(CustomerKey, Action, Date, Reason)` -> one row CustomerKey, Action, DoNotEmail,
  ActionDate. Action is unsubscribe | resubscribe | bad_email: unsubscribe and bad_email set Do
  Not Email, resubscribe clears it. Each accepted writeback is logged in WritebackLog.

Parameter names are matched without regard to case (`params` has casefolded keys). Problems are
`MethodFault`s, which the server sends as SOAP faults.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from informz_console.sandbox.netforum_envelope import row_sql

SERVICE = "InformzSync"
QUERY_COLUMNS = ("QueryKey", "QueryName", "Folder", "CreatedDate", "LastUsedDate")
FIELD_COLUMNS = ("FieldName", "DataType")
MEMBER_COLUMNS = (
    "CustomerKey", "RecordNumber", "Email", "FirstName", "LastName", "Company", "DoNotEmail",
    "MemberStatus", "MemberType", "Chapter", "JoinDate",
)  # fmt: skip
WRITEBACK_COLUMNS = ("CustomerKey", "Action", "DoNotEmail", "ActionDate")
ACTIONS = {"unsubscribe": 1, "bad_email": 1, "resubscribe": 0}
_MEMBER_XML = row_sql(MEMBER_COLUMNS)


class MethodFault(Exception):
    """A problem the server reports as a SOAP fault: `code` goes in the detail's ErrorCode."""

    def __init__(self, code: str, text: str, *, client: bool = True) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.client = client


class InformzSync:
    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    # -- dispatch ------------------------------------------------------------------------------
    def small(self, method: str, params: Mapping[str, str]) -> tuple[tuple[str, ...], list]:
        """Columns and rows of every method but GetQueryMembers."""
        conn = self.connect()
        try:
            if method == "GetMessagingJobQueries":
                rows = conn.execute(
                    f"SELECT {', '.join(QUERY_COLUMNS)} FROM MessagingJobQuery WHERE Active = 1"
                    " ORDER BY Folder, QueryName"
                ).fetchall()
                return QUERY_COLUMNS, rows
            if method == "GetPersonalizationFields":
                rows = conn.execute(
                    "SELECT FieldName, DataType FROM PersonalizationField ORDER BY Position"
                ).fetchall()
                return FIELD_COLUMNS, rows
            if method == "WriteBack":
                return WRITEBACK_COLUMNS, [self._write_back(conn, params)]
        except sqlite3.Error as exc:
            raise MethodFault("ServerError", f"Database error: {exc}.", client=False) from exc
        finally:
            conn.close()
        raise MethodFault(
            "UnknownMethod", f"Method '{method}' was not found on service '{SERVICE}'."
        )

    def members(self, params: Mapping[str, str]) -> tuple[int, MemberRows]:
        """GetQueryMembers: the row count and the rows (see MemberRows), in one snapshot."""
        key = _required(params, "QueryKey")
        conn = self.connect()
        try:
            found = conn.execute(
                "SELECT WhereSql FROM MessagingJobQuery WHERE QueryKey = ? COLLATE NOCASE"
                " AND Active = 1",
                (key,),
            ).fetchone()
            if found is None:
                raise MethodFault("UnknownQuery", f"Messaging job query '{key}' was not found.")
            where = found[0]
            conn.execute("BEGIN")  # one snapshot for the count and the rows
            total = conn.execute(f"SELECT COUNT(*) FROM Customer WHERE {where}").fetchone()[0]
            cursor = conn.execute(
                f"SELECT {_MEMBER_XML} FROM Customer WHERE {where} ORDER BY RecordNumber"
            )
        except sqlite3.Error as exc:
            conn.close()
            raise MethodFault("ServerError", f"Database error: {exc}.", client=False) from exc
        except BaseException:
            conn.close()
            raise
        return total, MemberRows(conn, cursor)

    def _write_back(self, conn: sqlite3.Connection, params: Mapping[str, str]) -> tuple:
        key = _required(params, "CustomerKey")
        action = _required(params, "Action").strip().lower()
        if action not in ACTIONS:
            raise MethodFault(
                "BadParameter",
                f"Action '{action}' is not one of unsubscribe, resubscribe, bad_email.",
            )
        date_text = (params.get("date") or "").strip()
        try:
            when = datetime.fromisoformat(date_text) if date_text else None
        except ValueError:
            raise MethodFault("BadParameter", f"Date '{date_text}' is not a date.") from None
        flag = ACTIONS[action]
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S") if when else None
        with conn:
            found = conn.execute(
                "SELECT CustomerKey FROM Customer WHERE CustomerKey = ?", (key.lower(),)
            ).fetchone()
            if found is None:
                raise MethodFault("UnknownCustomer", f"Customer '{key}' was not found.")
            conn.execute(
                "UPDATE Customer SET DoNotEmail = ? WHERE CustomerKey = ?", (flag, found[0])
            )
            conn.execute(
                "INSERT INTO WritebackLog (CustomerKey, Action, ActionDate, Reason, ReceivedAt,"
                " DoNotEmail) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    found[0],
                    action,
                    stamp,
                    (params.get("reason") or "").strip() or None,
                    datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    flag,
                ),
            )
        return found[0], action, flag, stamp


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name.casefold())
    if value is None or not value.strip():
        raise MethodFault("BadParameter", f"Parameter '{name}' is required.")
    return value.strip()


class MemberRows:
    """GetQueryMembers' rows as XML text in pieces of up to a thousand rows, read from the
    database as they are iterated; `close()` releases the database whether or not they were."""

    def __init__(self, conn: sqlite3.Connection, cursor: sqlite3.Cursor) -> None:
        self._conn = conn
        self._cursor = cursor

    def __iter__(self) -> Iterator[str]:
        while batch := self._cursor.fetchmany(1000):
            yield "".join([text for (text,) in batch])

    def close(self) -> None:
        self._cursor.close()
        self._conn.close()
