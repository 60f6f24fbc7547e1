"""The streams behind group_members and changes_since: IQA pages fetched ahead on a few threads
and handed out in order, joined page by page to the database, closed promptly when abandoned."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import httpx

from informz_console.connectors.base import CancelCheck
from informz_console.connectors.errors import RemoteDataError
from informz_console.connectors.imis_odbc import OdbcSession
from informz_console.connectors.imis_records import PeopleReader
from informz_console.connectors.imis_rest import ImisRestClient, IqaPage
from informz_console.domain.records import RemoteRecord


def iqa_pages(
    client: ImisRestClient,
    query: str,
    first: IqaPage,
    page_size: int,
    cancel: CancelCheck,
    *,
    workers: int = 3,
    ahead: int = 4,
) -> Generator[IqaPage, None, None]:
    """All pages of an IQA query in order, starting with the already fetched `first`.

    The following offsets come from the first page's TotalCount and are fetched `ahead` at a
    time (HTTP only; each page is parsed in the caller's thread when its turn comes). A short
    page is completed by reading the rest of its range; rows added after the first page are read
    sequentially at the end. `cancel` is checked before every page is handed out."""
    if cancel():
        return
    yield first
    step = first.count if first.has_next else page_size
    if not first.has_next or step <= 0:
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="imis-iqa")
    offsets = iter(range(first.offset + step, first.total, step))
    window: deque[tuple[int, Future[httpx.Response]]] = deque()

    def submit() -> None:
        offset = next(offsets, None)
        if offset is not None:
            window.append((offset, pool.submit(client.fetch_iqa, query, offset, step)))

    last = first
    try:
        for _ in range(ahead):
            submit()
        while window:
            offset, future = window.popleft()
            response = future.result()
            submit()
            # parse here, not in the fetch threads: JSON holds the GIL, and a parser thread
            # grabbing it whenever the database call releases it stalls the database reads
            page = client.parse_iqa(response, query, offset)
            for part in _complete(client, query, page, offset + step):
                if cancel():
                    return
                yield part
                last = part
        while last.has_next:  # the group grew while we read it
            if last.next_offset <= last.offset:
                raise RemoteDataError(
                    f"iMIS at {client.site} did not advance past offset {last.offset} of the "
                    f"IQA query '{query}'."
                )
            last = client.iqa_page(query, last.next_offset, step)
            if last.count == 0 or cancel():
                return
            yield last
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _complete(client: ImisRestClient, query: str, page: IqaPage, end: int) -> Iterator[IqaPage]:
    """A page and, if the server gave fewer rows than asked, the rest of its offset range."""
    yield page
    while page.has_next and page.count > 0 and page.next_offset < end:
        page = client.iqa_page(query, page.next_offset, end - page.next_offset)
        yield page


def member_pages(
    pages: Generator[IqaPage, None, None], reader: PeopleReader, session: OdbcSession,
    *, rows: bool = False,
) -> Iterator[list[RemoteRecord]] | Iterator[list[tuple]]:
    """Each IQA page's people from the database, in IQA order (as the database's rows when
    `rows`). IDs repeated from the previous page (rows shifting while iMIS pages) are dropped;
    IDs no longer in Name are skipped."""
    fetch = reader.fetch_rows if rows else reader.fetch
    try:
        previous: set[str] = set()
        for page in pages:
            ids = [i for i in dict.fromkeys(page.ids) if i and i not in previous]
            previous = set(page.ids)
            records = fetch(ids)
            if records:
                yield records
    finally:
        pages.close()  # stops the page fetchers now, not when garbage-collected
        reader.close()
        session.close()


def closing(pages: Generator, session: OdbcSession) -> Iterator:
    try:
        yield from pages
    finally:
        pages.close()
        session.close()
