"""Writebacks into iMIS: Activity rows (iUNSUB, iOPTOUT, iCORRECT, iRESUB, iBADEMAIL) and the
IPM checkbox fields of user-defined (UD) tables (seed 004).

- Activity SEQNs come from the Counter table, as `sp_asi_GetCounter 'Activity'` does: one
  `UPDATE Counter SET LAST_VALUE = LAST_VALUE + n` and a read of the new value, in the same
  transaction as the inserts, so two writers never get the same SEQN. Never MAX(SEQN)+1.
- A UD row must already exist for the iMIS ID: iMIS never creates it, and neither do we
  (`MissingUdRowError` names the ID and the table).
- UD table and field names come from settings, so they are checked against the catalogue and
  only then quoted into SQL; values are parameters.
- Written at most once per outbox key. A row given an `outbox_key` carries it in UF_3
  (`informz:<key>`, a SHA-256 of it when the key is too long for the column). Before inserting,
  the transaction takes the Counter row's lock (`UPDATE Counter ... + 0`: every writer of
  Activity rows through us queues behind it, on SQL Server and SQLite alike) and looks for an
  Activity row of the same ID carrying the same key; a row found is not written again and its
  SEQN is returned as if just written. So a writeback that iMIS committed, but whose outcome the
  console never recorded (killed in between), is recognised when it is delivered again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from informz_console.connectors.errors import ConfigError, ConnectorError
from informz_console.connectors.imis_odbc import OdbcSession, quote_identifier

ACTIVITY_TYPES = ("iUNSUB", "iOPTOUT", "iCORRECT", "iRESUB", "iBADEMAIL")
_LIMITS = {"ams_id": 10, "activity_type": 10, "product_code": 31}
KEY_PREFIX = "informz:"
_UF_LIMIT = 255


class MissingUdRowError(ConnectorError):
    """The UD table has no row for this iMIS ID; iMIS never creates it (seed 004)."""


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """One Activity row to write. `description` is cut to the column's 255 characters."""

    ams_id: str
    activity_type: str
    product_code: str
    description: str
    transaction_date: datetime | date
    uf_1: str | None = None
    uf_2: str | None = None
    uf_3: str | None = None
    outbox_key: str | None = None  # written into UF_3: the row is written once per key

    def __post_init__(self) -> None:
        for name, limit in _LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip() or len(value) > limit:
                raise ValueError(f"Activity {name} must be 1 to {limit} characters: {value!r}.")
        if self.outbox_key is not None and self.uf_3:
            raise ValueError("An Activity row carrying an outbox key keeps UF_3 for it.")

    @property
    def key_mark(self) -> str | None:
        """What UF_3 holds for the outbox key (None without one)."""
        if self.outbox_key is None:
            return None
        mark = KEY_PREFIX + self.outbox_key
        if len(mark) <= _UF_LIMIT:
            return mark
        return KEY_PREFIX + "sha256:" + hashlib.sha256(self.outbox_key.encode()).hexdigest()

    @classmethod
    def for_email(
        cls,
        ams_id: str,
        activity_type: str,
        email: str,
        when: datetime | date,
        *dates: datetime | date,
        product_code: str | None = None,
    ) -> ActivityRow:
        """The published shape: the email (first 250 characters) followed by the dates."""
        stamps = " ".join(d.strftime("%Y-%m-%d") for d in (when, *dates))
        return cls(
            ams_id=ams_id,
            activity_type=activity_type,
            product_code=product_code or activity_type,
            description=f"{email[:250]} {stamps}",
            transaction_date=when,
        )


def _db_datetime(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _text(value: str | None) -> str:
    return (value or "")[:255]


_INSERT_ACTIVITY = (
    "INSERT INTO Activity (SEQN, ID, ACTIVITY_TYPE, PRODUCT_CODE, TRANSACTION_DATE,"
    " EFFECTIVE_DATE, DESCRIPTION, UF_1, UF_2, UF_3) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def write_activities(session: OdbcSession, rows: Sequence[ActivityRow]) -> list[int]:
    """Insert the rows in one transaction; their SEQNs, in the rows' order."""
    if not rows:
        return []
    with session.transaction("write Activity rows") as cursor:
        return insert_activities(session, cursor, rows)


def insert_activities(session: OdbcSession, cursor, rows: Sequence[ActivityRow]) -> list[int]:
    """Insert inside the caller's transaction, SEQNs taken from the Counter table; a row whose
    outbox key iMIS already holds is not inserted again (its SEQN is returned)."""
    found = written_keys(session, cursor, rows)
    new = [row for row in rows if row.key_mark is None or (row.ams_id, row.key_mark) not in found]
    seqns = iter(take_activity_seqns(session, cursor, len(new)) if new else [])
    out, params = [], []
    for row in rows:
        known = found.get((row.ams_id, row.key_mark)) if row.key_mark is not None else None
        if known is not None:
            out.append(known)
            continue
        seqn = next(seqns)
        when = _db_datetime(row.transaction_date)
        uf_3 = row.key_mark if row.key_mark is not None else row.uf_3
        text = [_text(v) for v in (row.description, row.uf_1, row.uf_2, uf_3)]
        params.append((seqn, row.ams_id, row.activity_type, row.product_code, when, when, *text))
        found[(row.ams_id, row.key_mark)] = seqn  # the same key twice in one call: once
        out.append(seqn)
    if params:
        cursor.executemany(_INSERT_ACTIVITY, params)
    return out


def lock_counter(session: OdbcSession, cursor) -> None:
    """Take the Counter 'Activity' row's write lock until the transaction ends."""
    touch = "UPDATE Counter SET LAST_VALUE = LAST_VALUE + 0 WHERE COUNTER_NAME = 'Activity'"
    if session.run(cursor, touch, [], "lock the Counter table").rowcount == 0:
        raise _no_counter()


def written_keys(session: OdbcSession, cursor,
                 rows: Sequence[ActivityRow]) -> dict[tuple[str, str | None], int]:  # fmt: skip
    """(ID, key mark) -> SEQN of the keyed rows iMIS already holds, under the Counter lock."""
    keyed = [row for row in rows if row.key_mark is not None]
    if not keyed:
        return {}
    lock_counter(session, cursor)
    sql = "SELECT SEQN FROM Activity WHERE ID = ? AND UF_3 = ?"
    found: dict[tuple[str, str | None], int] = {}
    for row in keyed:
        hit = session.run(cursor, sql, [row.ams_id, row.key_mark], "look up Activity").fetchone()
        if hit is not None:
            found[(row.ams_id, row.key_mark)] = int(hit[0])
    return found


def _no_counter() -> ConfigError:
    return ConfigError(
        "The iMIS Counter table has no 'Activity' row, so no Activity SEQN can be taken; "
        "check that the connection string points at the iMIS database."
    )


def take_activity_seqns(session: OdbcSession, cursor, count: int) -> list[int]:
    """Reserve `count` SEQNs from Counter 'Activity' inside the caller's transaction."""
    action = "take SEQNs from the Counter table"
    bump = "UPDATE Counter SET LAST_VALUE = LAST_VALUE + ? WHERE COUNTER_NAME = 'Activity'"
    if session.run(cursor, bump, [count], action).rowcount == 0:
        raise _no_counter()
    read = "SELECT LAST_VALUE FROM Counter WHERE COUNTER_NAME = 'Activity'"
    last = int(session.run(cursor, read, (), action).fetchone()[0])
    return list(range(last - count + 1, last + 1))


def ud_field(session: OdbcSession, table: str, field: str) -> tuple[str, str]:
    """(table, field) as the catalogue spells them; the field must be a checkbox (bit)."""
    real_table = session.resolve_table(table)
    column = session.resolve_column(real_table, field)
    if not column.is_bit:
        raise ConfigError(
            f"Field '{column.name}' of the iMIS table '{real_table}' is not a checkbox (bit) "
            f"field; only checkbox fields sync as remote interests."
        )
    if not any(c.name.casefold() == "id" for c in session.columns(real_table)):
        raise ConfigError(
            f"The iMIS table '{real_table}' has no ID column, so it is not a UD table keyed by "
            f"iMIS ID; check the bridge's UD table setting."
        )
    return real_table, column.name


def set_ud_flag(
    session: OdbcSession,
    table: str,
    ams_id: str,
    field: str,
    value: bool,
    activity: ActivityRow | None = None,
) -> int | None:
    """Set one checkbox for one iMIS ID (and write its Activity row in the same transaction).
    When the activity's outbox key is already in iMIS, both were done before: nothing is
    written and its SEQN is returned."""
    real_table, real_field = ud_field(session, table, field)
    action = f"update {real_table}"
    update = (
        f"UPDATE {quote_identifier(real_table)} SET {quote_identifier(real_field)} = ? WHERE ID = ?"
    )
    with session.transaction(action) as cursor:
        done = written_keys(session, cursor, [activity] if activity is not None else [])
        if done:
            return next(iter(done.values()))
        if session.run(cursor, update, [1 if value else 0, ams_id], action).rowcount == 0:
            raise missing_ud_row(ams_id, real_table)
        if activity is None:
            return None
        return insert_activities(session, cursor, [activity])[0]


def missing_ud_row(ams_id: str, table: str) -> MissingUdRowError:
    return MissingUdRowError(
        f"iMIS ID {ams_id} has no row in the UD table {table}; iMIS never creates UD rows, so "
        f"add the row in iMIS and try again."
    )


def ud_checkbox_fields(
    session: OdbcSession, ud_table: str | None, prefix: str | None
) -> list[tuple[str, str]]:
    """(table, field) of every bit column of the UD tables: the configured one and those whose
    name starts with the prefix (case-insensitive). The ID key is never listed."""
    wanted = (prefix or "").casefold()
    names = sorted(
        real
        for key, real in session.tables(refresh=True).items()
        if (wanted and key.startswith(wanted)) or (ud_table and key == ud_table.casefold())
    )
    if ud_table and ud_table.casefold() not in {n.casefold() for n in names}:
        session.resolve_table(ud_table)  # raises the one-sentence ConfigError
    return [
        (name, column.name)
        for name in names
        for column in session.columns(name)
        if column.is_bit and column.name.casefold() != "id"
    ]
