"""iMIS remote interests (IPM, seed 004) as interest-based target groups.

"Checked fields ultimately become interest-based target groups once in Informz." A chosen UD
checkbox field is a group whose members are the people with the box checked; its remote key is
`ud:TABLE.FIELD`. The table and field are matched against the database's catalogue (only bit
columns of UD tables qualify) and only the catalogue's own spelling, quoted, reaches SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from informz_console.connectors.errors import ConfigError
from informz_console.connectors.imis_odbc import OdbcSession, quote_identifier
from informz_console.domain.records import GroupKind, RemoteGroup

PREFIX = "ud:"
FOLDER = "iMIS Remote Interests"


def interest_key(table: str, field: str) -> str:
    return f"{PREFIX}{table}.{field}"


def is_interest_key(remote_key: str) -> bool:
    return remote_key.startswith(PREFIX)


def resolve(chosen: str, checkboxes: list[tuple[str, str]]) -> tuple[str, str]:
    """The catalogue's (table, field) for a chosen 'TABLE.FIELD', or one clear sentence."""
    table, _, field = chosen.removeprefix(PREFIX).partition(".")
    for known_table, known_field in checkboxes:
        if (known_table.casefold(), known_field.casefold()) == (table.casefold(),
                                                                 field.casefold()):
            return known_table, known_field
    raise ConfigError(f"The remote interest {chosen.removeprefix(PREFIX)!r} is not a checkbox "
                      f"field of a UD table in iMIS; check the bridge's remote interests.")


def interest_groups(chosen: tuple[str, ...],
                    checkboxes: list[tuple[str, str]]) -> list[RemoteGroup]:
    groups = []
    for item in chosen:
        table, field = resolve(item, checkboxes)
        groups.append(RemoteGroup(interest_key(table, field), f"{table}.{field}", FOLDER,
                                  GroupKind.INTEREST, detail={"ud_table": table,
                                                              "ud_field": field}))
    return groups


@dataclass
class IdPage:
    """A page of member IDs, in the shape the people reader takes (like an IQA page)."""

    ids: list[str]


def count_checked(session: OdbcSession, table: str, field: str) -> int:
    sql = (f"SELECT COUNT(*) FROM {quote_identifier(table)} "
           f"WHERE {quote_identifier(field)} = 1")
    cursor = session.cursor()
    try:
        return int(session.run(cursor, sql, [], "count a remote interest").fetchone()[0])
    finally:
        cursor.close()


def checked_id_pages(session: OdbcSession, table: str, field: str, page_size: int,
                     cancel) -> Iterator[IdPage]:  # type: ignore[no-untyped-def]
    """The IDs with the box checked, in ID order, a page at a time."""
    sql = (f"SELECT ID FROM {quote_identifier(table)} WHERE {quote_identifier(field)} = 1 "
           f"ORDER BY ID")
    cursor = session.cursor()
    try:
        session.run(cursor, sql, [], "read a remote interest")
        while not cancel():
            rows = cursor.fetchmany(page_size)
            if not rows:
                return
            yield IdPage([str(row[0]) for row in rows])
    finally:
        cursor.close()
