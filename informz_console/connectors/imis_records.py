"""Reading iMIS people and Informz_Changes as RemoteRecords, in SQL that runs on SQL Server and on
the SQLite sandbox alike (no TOP/LIMIT, no TRIM, no vendor functions).

The email comes from the bridge's email source (seed 000: "Name.Email or Name_Address.Email+
Purpose and Preferred status"): Name.EMAIL, or the EMAIL of the person's Name_Address row with
that PURPOSE (case-insensitive) and PREFERRED_MAIL = 1, the lowest ADDRESS_NUM when several are.
Emails are returned exactly as stored; cleaning and validating them is the sync's job.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pyodbc

from informz_console.connectors.base import CancelCheck
from informz_console.connectors.imis_odbc import OdbcSession
from informz_console.domain.email_source import EmailSource
from informz_console.domain.records import ChangeKind, RemoteChange, RemoteRecord
from informz_console.domain.statuses import AcceptedStatuses

PERSON_COLUMNS = (
    "n.ID, n.STATUS, n.FIRST_NAME, n.LAST_NAME, n.COMPANY, n.MEMBER_TYPE, n.EXCLUDE_MAIL"
)


def email_join(source: EmailSource) -> tuple[str, str, list[str]]:
    """(email expression, join clause, join parameters) for a FROM over `Name n`."""
    if source.purpose is None:
        return "n.EMAIL", "", []
    join = (
        " LEFT JOIN Name_Address a ON a.ADDRESS_NUM = (SELECT MIN(p.ADDRESS_NUM)"
        " FROM Name_Address p WHERE p.ID = n.ID AND p.PREFERRED_MAIL = 1"
        " AND UPPER(RTRIM(p.PURPOSE)) = ?)"
    )
    return "a.EMAIL", join, [source.purpose.strip().upper()]


def status_filter(accepted: AcceptedStatuses, column: str = "n.STATUS") -> tuple[str, list[str]]:
    """A WHERE condition accepting exactly the bridge's statuses (codes and `A*` prefixes)."""
    code = f"UPPER(LTRIM(RTRIM({column})))"
    parts: list[str] = []
    params: list[str] = []
    if accepted.exact:
        exact = sorted(accepted.exact)
        parts.append(f"{code} IN ({', '.join('?' * len(exact))})")
        params.extend(exact)
    for prefix in accepted.prefixes:
        escaped = "".join("!" + ch if ch in "!%_[]" else ch for ch in prefix)
        parts.append(f"{code} LIKE ? ESCAPE '!'")
        params.append(escaped + "%")
    return "(" + " OR ".join(parts) + ")", params


def to_record(row: Sequence) -> RemoteRecord:
    """From PERSON_COLUMNS followed by the email."""
    member_id, status, first, last, company, member_type, exclude_mail, email = row[:8]
    fields = {"EXCLUDE_MAIL": "1" if exclude_mail else "0"}
    if member_type:
        fields["MEMBER_TYPE"] = member_type
    # positional: a frozen dataclass's keyword call costs half again as much, per person
    return RemoteRecord(member_id, email, status, first, last, company, fields)


def _key(member_id: object) -> str:
    return str(member_id).strip().upper()


class PeopleReader:
    """Fetches the people of one page of IDs, in the order given (one query per page)."""

    def __init__(self, session: OdbcSession, source: EmailSource) -> None:
        self._session = session
        email, self._join, self._join_params = email_join(source)
        self._select = f"SELECT {PERSON_COLUMNS}, {email} FROM Name n{self._join} WHERE n.ID IN "
        self._sql: dict[int, str] = {}
        self._cursor: pyodbc.Cursor | None = None

    def fetch(self, ids: Sequence[str]) -> list[RemoteRecord]:
        return [to_record(row) for row in self.fetch_rows(ids)]

    def fetch_rows(self, ids: Sequence[str]) -> list[tuple]:
        """The people's rows (PERSON_COLUMNS and the email) as plain tuples, in `ids` order."""
        if not ids:
            return []
        sql = self._sql.get(len(ids))
        if sql is None:
            sql = self._sql[len(ids)] = self._select + "(" + ",".join("?" * len(ids)) + ")"
        if self._cursor is None:
            self._cursor = self._session.cursor()
        rows = self._session.fetch_all(
            self._cursor, sql, [*self._join_params, *ids], "read the group's people"
        )
        found = {row[0]: row for row in rows}
        if len(found) == len(ids) and all(i in found for i in ids):
            return [tuple(found[i]) for i in ids]
        # some ID came back spelled differently (padding, case) or is gone: match loosely
        loose = {_key(k): row for k, row in found.items()}
        return [tuple(loose[k]) for k in map(_key, ids) if k in loose]

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None


def read_changes(
    session: OdbcSession,
    source: EmailSource,
    seqn: int,
    upto: int,
    window: int,
    cancel: CancelCheck,
) -> Iterator[list[RemoteChange]]:
    """Informz_Changes rows with seqn < SEQN <= upto, in SEQN windows of `window` (bounded memory
    whatever the driver buffers), each joined to the person's current Name/Name_Address state."""
    email, join, join_params = email_join(source)
    sql = (
        f"SELECT c.SEQN, c.ID, c.CHANGE_TYPE, c.OLD_EMAIL, {PERSON_COLUMNS}, {email}"
        f" FROM Informz_Changes c LEFT JOIN Name n ON n.ID = c.ID{join}"
        " WHERE c.SEQN > ? AND c.SEQN <= ? ORDER BY c.SEQN"
    )
    action = "read Informz_Changes"
    cursor = session.cursor()
    try:
        low = seqn
        while low < upto and not cancel():
            high = min(low + window, upto)
            rows = session.fetch_all(cursor, sql, [*join_params, low, high], action)
            if rows:
                yield [_to_change(row) for row in rows]
                low = high
                continue
            following = session.scalar(
                "SELECT MIN(SEQN) FROM Informz_Changes WHERE SEQN > ?", [high], action
            )
            if following is None or following > upto:
                return
            low = int(following) - 1
    finally:
        cursor.close()


def _to_change(row: Sequence) -> RemoteChange:
    seqn, member_id, change_type, old_email = row[:4]
    kind = ChangeKind((change_type or "C").strip().upper())
    person = row[4:]
    if kind is ChangeKind.DELETED or person[0] is None:
        record = RemoteRecord(ams_id=member_id, email=None)
    else:
        record = to_record(person)
    return RemoteChange(seqn=int(seqn), kind=kind, record=record, old_email=old_email)


def rebuild_changes(session: OdbcSession, source: EmailSource, accepted: AcceptedStatuses) -> int:
    """Full refresh (seed 000): empty Informz_Changes and add one 'A' row per accepted person."""
    email, join, join_params = email_join(source)
    where, where_params = status_filter(accepted)
    now = datetime.now(UTC).replace(tzinfo=None)
    insert = (
        "INSERT INTO Informz_Changes (ID, CHANGE_TYPE, OLD_EMAIL, NEW_EMAIL, STATUS, CHANGED_AT)"
        f" SELECT n.ID, 'A', NULL, {email}, n.STATUS, ? FROM Name n{join} WHERE {where}"
        " ORDER BY n.ID"
    )
    action = "rebuild Informz_Changes"
    with session.transaction(action) as cursor:
        session.run(cursor, "DELETE FROM Informz_Changes", (), action)
        # the ? for CHANGED_AT comes before the join's and the filter's parameters
        inserted = session.run(cursor, insert, [now, *join_params, *where_params], action).rowcount
        if inserted is None or inserted < 0:
            inserted = session.run(cursor, "SELECT COUNT(*) FROM Informz_Changes", (), action)
            inserted = inserted.fetchone()[0]
    return int(inserted)
