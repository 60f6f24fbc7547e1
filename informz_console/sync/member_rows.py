"""A group's members as the AMS's own rows where the connector can give them (iMIS's
database rows, Personify360's CustomerInfo entities).

Why: most records of a resync are as last synced, and building a record of a row costs more
than comparing the row's digest (at 1,000,000 iMIS members, making RemoteRecords of every row
took about a quarter of the fetch process's time; Personify360's unchanged resync, its fetch
process's CPU 23.2 -> 17.8 s). Compared as rows, only the changed rows
become records. The digest is then of the row, in this process and in the fetch process
alike, so every group of a bridge is compared the same way whichever process reads it.
"""

from __future__ import annotations

from collections.abc import Iterator

from informz_console.connectors.base import CancelCheck, Connector, MemberStream, never_cancelled
from informz_console.domain.record_digest import Split
from informz_console.domain.records import RemoteRecord
from informz_console.sync.last_synced import LastSynced


def member_stream(connector: Connector, key: str,
                  cancel: CancelCheck = never_cancelled) -> MemberStream:
    """`group_rows` where the connector has it (`to_record` set), else `group_members`."""
    rows = getattr(connector, "group_rows", None)
    if rows is not None:
        return rows(key, cancel=cancel)
    return connector.group_members(key, cancel=cancel)


def record_pages(stream: MemberStream, last: LastSynced | None, *, plain: bool = False,
                 ) -> Iterator[list[RemoteRecord] | list[tuple] | Split]:
    """The stream's pages as the sync takes them: split by `last` (of a `group_rows` stream,
    records made of the changed rows only), or whole. `plain`: the records as plain tuples,
    which is what the fetch process sends (a third of NamedTuples' pickling)."""
    to_record = stream.to_record
    make = to_record
    if plain:
        make = tuple if to_record is None else (lambda row: tuple(to_record(row)))
    try:
        for rows in stream.pages:
            if last is not None:
                yield last.split(rows, make)
            else:
                yield rows if make is None else list(map(make, rows))
    finally:
        close = getattr(stream.pages, "close", None)
        if close is not None:
            close()  # stops the AMS read now, not when this generator is collected
