"""xWeb rows as the connector's records: members, messaging job queries, pages of members.

Member rows (GetQueryMembers) carry CustomerKey, Email, FirstName, LastName, Company, DoNotEmail,
MemberStatus and more (RecordNumber, MemberType, Chapter, JoinDate, ...). The email is kept exactly
as netFORUM holds it (cleaning it is the sync's job); a column netFORUM left out (NULL) is None,
an empty one "". DoNotEmail becomes `remote_opt_out`; the columns beyond the named ones go to
`fields`, DoNotEmail included ("1"/"0").

Dates carry no zone in xWeb; they are read as UTC (an offset of a few hours does not change the
seven-day and ninety-day rules they feed).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from informz_console.connectors.base import CancelCheck
from informz_console.connectors.errors import RemoteDataError
from informz_console.connectors.netforum_stream import ResultStream
from informz_console.domain.records import GroupKind, RemoteGroup, RemoteRecord

_TRUE = frozenset(("1", "true", "yes", "y", "-1"))


def flag(text: str | None) -> bool:
    return text is not None and text.strip().lower() in _TRUE


def utc(text: str | None) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_record(row: dict[str, str]) -> RemoteRecord:
    """The record of one member row (the row dict is used up: what is left becomes `fields`)."""
    pop = row.pop
    key = pop("CustomerKey", None)
    email = pop("Email", None)
    status = pop("MemberStatus", None)
    first = pop("FirstName", None)
    last = pop("LastName", None)
    company = pop("Company", None)
    opt_out = flag(pop("DoNotEmail", None))
    row["DoNotEmail"] = "1" if opt_out else "0"
    key = key.strip() if key else None
    # positional: a frozen dataclass's keyword call costs half again as much, per record
    return RemoteRecord(key or None, email, status, first, last, company, row, opt_out)


def to_group(row: dict[str, str], site: str) -> RemoteGroup:
    key = (row.get("QueryKey") or "").strip()
    if not key:
        raise RemoteDataError(
            f"netFORUM at {site} listed a messaging job query without a QueryKey; check the "
            f"InformzSync service's GetMessagingJobQueries method."
        )
    used = utc(row.get("LastUsedDate"))
    return RemoteGroup(
        remote_key=key,
        name=(row.get("QueryName") or "").strip() or key,
        folder=(row.get("Folder") or "").strip(),
        kind=GroupKind.QUERY,
        created_at=utc(row.get("CreatedDate")),
        detail={"last_used": used.isoformat() if used else ""},
    )


def member_pages(
    stream: ResultStream, page_size: int, cancel: CancelCheck
) -> Iterator[list[RemoteRecord]]:
    """The stream's rows as pages of `page_size` records; `cancel` is checked before each page
    is read. The connection is dropped when the pages end, fail or are abandoned."""
    try:
        if cancel():
            return
        page: list[RemoteRecord] = []
        for rows in stream.rows():
            for row in rows:
                page.append(to_record(row))
                if len(page) >= page_size:
                    yield page
                    page = []
                    if cancel():
                        return
        if page:
            yield page
    finally:
        stream.close()
