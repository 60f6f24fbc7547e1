"""The page generators behind group_members and changes.

Contacts: the next page is fetched (and parsed) on one helper thread while the caller works on the
current one, so the caller's work overlaps the network round trip; memory stays at about two
pages. Changes: read in order up to the feed's head seen when the read started.
`cancel` is checked before every page is handed out; an abandoned or cancelled stream stops its
helper thread at once.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from informz_console.connectors.base import CancelCheck
from informz_console.connectors.errors import RemoteDataError
from informz_console.connectors.idss_records import ChangesPage, ContactsPage, IdssChange
from informz_console.domain.records import RemoteRecord


def contact_pages(
    fetch: Callable[[str], ContactsPage],
    first: ContactsPage,
    cancel: CancelCheck,
    *,
    site: str,
    list_id: str,
) -> Generator[list[RemoteRecord], None, None]:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="idss-contacts")
    page = first
    previous: str | None = None
    try:
        while True:
            cursor = page.next_cursor
            if cursor is not None and cursor == previous:
                raise RemoteDataError(
                    f"iDSS at {site} handed out the same cursor twice while paging distribution "
                    f"list {list_id}; try again."
                )
            future: Future[ContactsPage] | None = None
            if cursor is not None:
                previous = cursor
                future = pool.submit(fetch, cursor)
            if cancel():
                return
            if page.records:
                yield page.records
            if future is None:
                return
            page = future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def change_pages(
    fetch: Callable[[int], ChangesPage],
    first: ChangesPage,
    since: int,
    head: int,
    cancel: CancelCheck,
    *,
    site: str,
) -> Iterator[list[IdssChange]]:
    """Changes with since < seq <= head; later ones wait for the next read."""
    page = first
    position = since
    while True:
        if cancel():
            return
        batch = [change for change in page.changes if change.seq <= head]
        if batch:
            yield batch
        if not page.changes or not page.has_more or page.next_since >= head:
            return
        if page.next_since <= position:
            raise RemoteDataError(
                f"iDSS at {site} did not advance its change feed past seq {position}; try again."
            )
        position = page.next_since
        page = fetch(position)
