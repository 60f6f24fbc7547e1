"""The iMIS database over ODBC: one pyodbc connection, its catalogue, and error translation.

- The password is appended to the user's connection string only when it names a user (UID),
  brace-quoted per the ODBC rules; no message we raise ever contains it.
- The connection runs in autocommit between explicit `transaction()` blocks, so each read sees
  committed data as of now (no snapshot held open between calls).
- Identifiers that come from configuration are looked up in the catalogue (`cursor.tables()`,
  `cursor.columns()`), matched case-insensitively as SQL Server does, and only the catalogue's
  own spelling is quoted into SQL. Values are always bound as parameters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import pyodbc

from informz_console.connectors.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RemoteDataError,
    UnreachableError,
)

SQL_BIT = -7


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str
    data_type: int

    @property
    def is_bit(self) -> bool:
        return self.data_type == SQL_BIT or self.type_name.lower() == "bit"

    @property
    def is_text(self) -> bool:
        return any(t in self.type_name.lower() for t in ("char", "text", "string"))


def with_password(connection_string: str, password: str, has_user: bool) -> str:
    if not has_user:
        return connection_string
    quoted = "{" + password.replace("}", "}}") + "}"
    return connection_string.rstrip().rstrip(";") + f";PWD={quoted};"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def scrub(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret else text


def _driver_detail(exc: pyodbc.Error, secret: str) -> str:
    raw = str(exc.args[1] if len(exc.args) > 1 else exc)
    detail = re.sub(r"\[[^\]]*\]", "", raw)
    detail = re.sub(r"\s*\((?:-?\d+|SQL\w+)\)", "", detail).strip().rstrip(".")
    return scrub(detail, secret)[:200] or "no detail from the driver"


def translate(exc: pyodbc.Error, secret: str, action: str) -> ConnectorError:
    """One clear sentence for a pyodbc error raised while trying to `action`."""
    state = str(exc.args[0]) if exc.args else ""
    detail = _driver_detail(exc, secret)
    low = detail.lower()
    if state == "IM002" or "can't open lib" in low or "data source name not found" in low:
        return ConfigError(
            "The ODBC driver or data source named in the iMIS connection string is not "
            "installed on this computer; check the bridge's connection string."
        )
    if state.startswith("28") or "login failed" in low:
        return AuthError(
            "The iMIS database refused the login; check the database user in the connection "
            "string and the password saved for this bridge."
        )
    if (
        state.startswith("08")
        or state in ("HYT00", "HYT01")
        or "connect failed" in low
        or "unable to open" in low
    ):
        return UnreachableError(
            "The iMIS database could not be reached with the bridge's connection string; check "
            "the server or file it names and the network (VPN)."
        )
    if "locked" in low or "busy" in low or state == "40001":
        return UnreachableError(
            "The iMIS database is busy (another program holds a lock); try again in a moment."
        )
    if "no such table" in low or "invalid object name" in low:
        return ConfigError(
            f"The iMIS database is missing a table the integration needs ({detail}); check that "
            f"the connection string points at the iMIS database."
        )
    return RemoteDataError(f"The iMIS database could not {action}: {detail}.")


_WIDE_TEXT = (pyodbc.SQL_WCHAR, pyodbc.SQL_WVARCHAR, pyodbc.SQL_WLONGVARCHAR)
_NARROW_TEXT = (pyodbc.SQL_CHAR, pyodbc.SQL_VARCHAR, pyodbc.SQL_LONGVARCHAR)


def _utf16_replacing(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-16-le", "replace")


def _utf8_replacing(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "replace")


class OdbcSession:
    """One lazily opened connection. Not shared across threads at the same time."""

    def __init__(self, connection_string: str, password: str, has_user: bool, timeout_s: float):
        self._connection_string = with_password(connection_string, password, has_user)
        self._secret = password
        self._login_timeout = max(1, math.ceil(timeout_s))
        self._conn: pyodbc.Connection | None = None
        self._tables: dict[str, str] | None = None

    # -- connection ----------------------------------------------------------------------------
    def connection(self) -> pyodbc.Connection:
        if self._conn is None:
            try:
                self._conn = pyodbc.connect(
                    self._connection_string, autocommit=True, timeout=self._login_timeout
                )
            except pyodbc.Error as exc:
                raise translate(exc, self._secret, "be opened") from None
        return self._conn

    def cursor(self) -> pyodbc.Cursor:
        try:
            return self.connection().cursor()
        except pyodbc.Error as exc:
            raise self.error(exc, "open a cursor") from exc

    def error(self, exc: pyodbc.Error, action: str) -> ConnectorError:
        return translate(exc, self._secret, action)

    def run(self, cursor: pyodbc.Cursor, sql: str, params: list | tuple, action: str):
        """Execute one parameterised statement, translating driver errors."""
        try:
            return cursor.execute(sql, params) if params else cursor.execute(sql)
        except pyodbc.Error as exc:
            raise self.error(exc, action) from exc

    def fetch_all(self, cursor: pyodbc.Cursor, sql: str, params: list | tuple,
                  action: str) -> list:
        """The rows of one statement. Text the driver hands over that is not valid in its
        encoding (a lone surrogate in an nvarchar: half of an emoji cut at a column's length)
        makes pyodbc raise UnicodeDecodeError for the whole page; then the statement runs again
        with such text read as U+FFFD, so one damaged name does not stop a sync."""
        try:
            try:
                return self.run(cursor, sql, params, action).fetchall()
            except UnicodeDecodeError:
                with self._tolerant_text():
                    return self.run(cursor, sql, params, action).fetchall()
        except pyodbc.Error as exc:
            raise self.error(exc, action) from exc

    @contextmanager
    def _tolerant_text(self) -> Iterator[None]:
        # An output converter gets the driver's own bytes: UTF-16 for the wide types, the
        # driver's encoding for the others (UTF-8 for SQLite's driver and most others today).
        conn = self.connection()
        for sql_type in _WIDE_TEXT:
            conn.add_output_converter(sql_type, _utf16_replacing)
        for sql_type in _NARROW_TEXT:
            conn.add_output_converter(sql_type, _utf8_replacing)
        try:
            yield
        finally:
            conn.clear_output_converters()

    def scalar(self, sql: str, params: list | tuple = (), action: str = "run a query"):
        cursor = self.cursor()
        try:
            row = self.run(cursor, sql, params, action).fetchone()
            return None if row is None else row[0]
        except pyodbc.Error as exc:
            raise self.error(exc, action) from exc
        finally:
            cursor.close()

    @contextmanager
    def transaction(self, action: str) -> Iterator[pyodbc.Cursor]:
        """A cursor in one transaction: committed on success, rolled back on any error."""
        conn = self.connection()
        cursor = None
        try:
            conn.autocommit = False
            cursor = conn.cursor()
            yield cursor
            conn.commit()
        except BaseException as exc:
            with suppress(pyodbc.Error):
                conn.rollback()
            if isinstance(exc, pyodbc.Error):
                raise self.error(exc, action) from exc
            raise
        finally:
            if cursor is not None:
                cursor.close()
            try:
                conn.autocommit = True
            except pyodbc.Error:
                self.close()  # unusable: reconnect on next use

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(pyodbc.Error):
                conn.close()

    # -- catalogue -----------------------------------------------------------------------------
    def tables(self, refresh: bool = False) -> dict[str, str]:
        """casefolded name -> the catalogue's spelling, for tables and views."""
        if self._tables is None or refresh:
            cursor = self.cursor()
            try:
                self._tables = {
                    row.table_name.casefold(): row.table_name
                    for row in cursor.tables()
                    if (row.table_type or "").upper() in ("TABLE", "VIEW")
                }
            except pyodbc.Error as exc:
                raise self.error(exc, "list its tables") from exc
            finally:
                cursor.close()
        return self._tables

    def find_table(self, name: str) -> str | None:
        key = name.strip().casefold()
        found = self.tables().get(key)
        return found if found is not None else self.tables(refresh=True).get(key)

    def resolve_table(self, name: str, hint: str = "check the bridge's UD table setting") -> str:
        found = self.find_table(name) if name and name.strip() else None
        if found is None:
            raise ConfigError(f"Table '{name}' does not exist in the iMIS database; {hint}.")
        return found

    def columns(self, table: str) -> list[Column]:
        """The columns of a table named exactly as the catalogue spells it, in ordinal order."""
        cursor = self.cursor()
        try:
            rows = cursor.columns(table=table).fetchall()
        except pyodbc.Error as exc:
            raise self.error(exc, f"list the columns of {table}") from exc
        finally:
            cursor.close()
        # catalogue arguments are LIKE patterns ('_' matches anything): keep the exact table only
        return [
            Column(r.column_name, r.type_name or "", int(r.data_type or 0))
            for r in rows
            if r.table_name.casefold() == table.casefold()
        ]

    def resolve_column(self, table: str, name: str) -> Column:
        wanted = (name or "").strip().casefold()
        for column in self.columns(table):
            if column.name.casefold() == wanted:
                return column
        raise ConfigError(
            f"Field '{name}' does not exist in the iMIS table '{table}'; check the bridge's UD "
            f"field settings."
        )
