"""A large IQA query's pages, read by a process of their own while this one reads the people.

Why: the page fetchers' HTTP and JSON work and the ODBC reads share one GIL, and the SQLite
ODBC driver lets go of it for every row and column, handing it to the fetchers thousands of
times a page. Measured at 1,000,000 members: IQA pages and people read in one process 18-24 s,
the pages read by a second process 11.5 s.

The child signs in with the same site, user and password (handed down its standard input by
connectors/child_stream) and yields exactly what `imis_streams.iqa_pages` yields here.
"""

from __future__ import annotations

from collections.abc import Iterator

from informz_console.connectors.base import CancelCheck, never_cancelled
from informz_console.connectors.child_stream import serve, stream_from_child
from informz_console.connectors.imis_rest import ImisRestClient, IqaPage
from informz_console.connectors.imis_streams import iqa_pages

IQA_PROCESS_FROM = 20_000  # members; below it a process costs more to start than it saves


def iqa_pages_in_process(sign_in: tuple[str, str, str, float], query: str, first: IqaPage,
                         page_size: int, cancel: CancelCheck) -> Iterator[IqaPage]:
    """`iqa_pages` read by a child; `sign_in` is (site, user name, password, timeout)."""
    return stream_from_child(__spec__.name, (sign_in, query, first, page_size), cancel,
                             f"the IQA query '{query}'")


def _pages(payload: tuple) -> Iterator[IqaPage]:
    sign_in, query, first, page_size = payload
    client = ImisRestClient(*sign_in)
    try:
        yield from iqa_pages(client, query, first, page_size, never_cancelled)
    finally:
        client.close()


if __name__ == "__main__":
    serve(_pages)
