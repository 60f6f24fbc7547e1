"""Following `__next` with the next request sent before a page is parsed (personify_streams).

The link is read from the raw tail of each page; the parsed page has the last word. The sandbox
always ends a page with its own link, so the pages where that guess goes wrong come from a
small real HTTP server here: `__next` written before the results, and an expanded collection
inside a result carrying a `__next` of its own (OData v2 allows both).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from local_pds import PageHandler, local_pds

from informz_console.connectors.errors import RemoteDataError
from informz_console.connectors.personify_odata import ODataClient
from informz_console.connectors.personify_settings import SERVICE_PATH
from informz_console.connectors.personify_streams import follow

PAGES = 5


def _page(number: int, base: str, *, next_first: bool, loop: bool = False) -> bytes:
    link = f"{base}{SERVICE_PATH}/Members?$skiptoken={number if loop else number + 1}"
    decoy = f"{base}{SERVICE_PATH}/Orders?$skiptoken=decoy{number}"
    result = {"Id": number, "Note": 'says "__next": "x"',
              "Orders": {"results": [], "__next": decoy}}
    d: dict = {"__next": link} if next_first and number < PAGES else {}
    d["results"] = [result]
    if not next_first and number < PAGES:
        d["__next"] = link
    return json.dumps({"d": d}, indent=1 if next_first else None).encode()


class _Pds(PageHandler):
    next_first = False
    loop = False
    requested: list[str]

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook
        self.requested.append(self.path)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if "/Orders" in self.path:
            body, status = b'{"error": {"message": {"value": "not here"}}}', 404
        else:
            number = int(self.path.rsplit("=", 1)[1]) if "skiptoken" in self.path else 1
            body, status = _page(number, base, next_first=self.next_first, loop=self.loop), 200
        self.answer(body, status)


@pytest.fixture
def pds() -> Iterator[tuple[ODataClient, type[_Pds]]]:
    handler = type("Handler", (_Pds,), {"requested": []})
    with local_pds(handler) as client:
        yield client, handler


def _ids(client: ODataClient) -> list[int]:
    first = client.page("Members", None, "members")
    return [r["Id"] for page in follow(client, first, "members", lambda: False)
            for r in page.results]  # fmt: skip


def test_the_next_link_is_read_from_a_pages_tail(pds):
    client, _ = pds
    base = client.site
    body = _page(2, base, next_first=False)
    assert client.next_link_in(body) == f"{base}{SERVICE_PATH}/Members?$skiptoken=3"
    escaped = body.replace(b"/Members", b"\\/Members")  # JSON may escape the slashes
    assert client.next_link_in(escaped) == f"{base}{SERVICE_PATH}/Members?$skiptoken=3"
    # the last page's only `__next` is inside a result: not the page's
    assert client.next_link_in(_page(PAGES, base, next_first=False)) is None
    assert client.next_link_in(_page(2, base, next_first=True)) is None  # link written first
    assert client.next_link_in(b'{"d": {"results": []}}') is None
    assert client.next_link_in(b'{"d": {"results": [], "__next": 7}}') is None


def test_pages_whose_tail_links_elsewhere_are_followed_by_their_own_link(pds):
    client, handler = pds
    assert _ids(client) == list(range(1, PAGES + 1))  # __next at the end: each guess right
    assert not any("/Orders" in path for path in handler.requested)
    handler.requested.clear()
    handler.next_first = True
    assert _ids(client) == list(range(1, PAGES + 1))  # every guess the decoy, then corrected
    members = [path for path in handler.requested if "/Members" in path]
    assert len(members) == PAGES


def test_a_page_linking_to_itself_is_named(pds):
    client, handler = pds
    handler.loop = True
    with pytest.raises(RemoteDataError, match="same next-page link twice"):
        _ids(client)
