"""One iMIS ID's checkboxes in the UD tables (IPM, seed 004): read them, update them.

Fields are (table, field) pairs checked against the catalogue by `ud_field` first, so only the
catalogue's spelling is quoted into SQL. A UD row is only ever updated: a missing row is
`MissingUdRowError` ("Note that iMIS will not create the records; it will only update them").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from informz_console.connectors.imis_odbc import OdbcSession, quote_identifier
from informz_console.connectors.imis_writeback import missing_ud_row, ud_field


def _by_table(session: OdbcSession,
              fields: Iterable[tuple[str, str]]) -> dict[str, list[str]]:  # fmt: skip
    tables: dict[str, list[str]] = {}
    for table, field in fields:
        real_table, real_field = ud_field(session, table, field)
        tables.setdefault(real_table, []).append(real_field)
    return tables


def read_ud_flags(
    session: OdbcSession, ams_id: str, fields: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], bool | None]:
    """(table, field) -> checked, as the catalogue spells them; None for a field whose table
    has no row for this ID."""
    out: dict[tuple[str, str], bool | None] = {}
    for table, names in _by_table(session, fields).items():
        columns = ", ".join(quote_identifier(n) for n in names)
        sql = f"SELECT {columns} FROM {quote_identifier(table)} WHERE ID = ?"
        cursor = session.cursor()
        try:
            row = session.run(cursor, sql, [ams_id], f"read {table}").fetchone()
        finally:
            cursor.close()
        for index, name in enumerate(names):
            out[(table, name)] = None if row is None else bool(row[index])
    return out


def set_ud_flags(session: OdbcSession, ams_id: str,
                 values: Mapping[tuple[str, str], bool]) -> None:  # fmt: skip
    """Update the given checkboxes of one ID, all tables in one transaction; a table without a
    row for the ID rolls everything back with MissingUdRowError."""
    tables = _by_table(session, values)
    wanted = {ud_field(session, t, f): v for (t, f), v in values.items()}
    with session.transaction("update the UD tables") as cursor:
        for table, names in tables.items():
            sets = ", ".join(f"{quote_identifier(n)} = ?" for n in names)
            sql = f"UPDATE {quote_identifier(table)} SET {sets} WHERE ID = ?"
            params = [1 if wanted[(table, n)] else 0 for n in names] + [ams_id]
            if session.run(cursor, sql, params, f"update {table}").rowcount == 0:
                raise missing_ud_row(ams_id, table)
