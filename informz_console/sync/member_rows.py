"""A group's members as the AMS's own rows where the connector can give them (iMIS).

Why: most records of a resync are as last synced, and building a record of a row costs more
than comparing the row's digest (at 1,000,000 iMIS members, making RemoteRecords of every row
took about a quarter of the fetch process's time). Compared as rows, only the changed rows
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
    """The pages of a `group_rows` stream as the sync takes them: split by `last` (records
    made of the changed rows only), or every row made a record. `plain`: the records as plain
    tuples, which is what the fetch process sends."""
    to_record = stream.to_record
    assert to_record is not None, "a group_rows stream"
    make = (lambda row: tuple(to_record(row))) if plain else to_record
    try:
        for rows in stream.pages:
            yield list(map(make, rows)) if last is None else last.split(rows, make)
    finally:
        close = getattr(stream.pages, "close", None)
        if close is not None:
            close()  # stops the AMS read now, not when this generator is collected
