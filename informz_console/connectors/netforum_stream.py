"""One xWeb ExecuteMethod answer read as it arrives: the new token from the SOAP header first, then
the `<Result>` rows one by one, without ever holding the whole document.

The body is fed to an lxml `XMLPullParser` chunk by chunk; events are asked for only on the few
elements we look for (Token, Results, Fault), not on every row (events cost more than parsing).
After each chunk, the finished rows under <Results> (all but the one being parsed) are turned
into dicts and dropped from the tree, so memory stays flat however many rows there are.

`ResultStream.begin()` reads until the answer's shape is known: a SOAP fault (raised as
`FaultAnswer`), or the token and the row count (`recordReturn`). `rows()` then yields the rows;
`close()` (or a `with` block) drops the connection when the caller stops early.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import httpx
from lxml import etree

from informz_console.connectors.netforum_errors import XWebErrors

NAMESPACE = "http://www.avectra.com/2005/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_TOKEN = f"{{{NAMESPACE}}}Token"
_FAULT = f"{{{SOAP_ENV}}}Fault"
_TAGS = (_TOKEN, "Results", _FAULT)

Event = tuple[Literal["token", "total", "rows", "end"], object]


class FaultAnswer(Exception):
    """The server answered with a SOAP fault."""

    def __init__(self, code: str | None, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


def fault_parts(fault: etree._Element) -> tuple[str | None, str]:
    """(ErrorCode from the detail or None, faultstring) of a `soap:Fault` element."""
    text = fault.findtext("faultstring") or fault.findtext(f"{{{SOAP_ENV}}}faultstring") or ""
    code = fault.findtext(f"detail/{{{NAMESPACE}}}ErrorCode") or fault.findtext(
        f"{{{SOAP_ENV}}}detail/{{{NAMESPACE}}}ErrorCode"
    )
    return (code.strip() or None) if code else None, text.strip()


class ResultStream:
    def __init__(self, response: httpx.Response, errors: XWebErrors, what: str) -> None:
        self._response = response
        self._errors = errors
        self._what = what
        self._events = self._parse()
        self.token: str | None = None
        self.total: int | None = None
        self._closed = False

    def __enter__(self) -> ResultStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._events.close()
            self._response.close()

    # -- reading -------------------------------------------------------------------------------
    def begin(self) -> None:
        """Read up to the row count (the token comes before it); raises FaultAnswer for a fault
        and a ConnectorError for anything else that is not an xWeb answer."""
        response = self._response
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code != 200 and not (response.status_code == 500 and "xml" in media):
            raise self._errors.status(response.status_code, response.reason_phrase, self._what)
        for kind, value in self._events:
            if kind == "token":
                self.token = value  # type: ignore[assignment]
            elif kind == "total":
                self.total = value  # type: ignore[assignment]
                return
            else:  # "end" before any Results cannot happen: _parse raises first
                return

    def rows(self) -> Iterator[list[dict[str, str]]]:
        """The `<Result>` rows as {column: text}, a batch per chunk read (an empty element is "",
        a missing one absent)."""
        for kind, value in self._events:
            if kind == "rows":
                yield value  # type: ignore[misc]

    def _parse(self) -> Iterator[Event]:
        parser = etree.XMLPullParser(
            events=("start", "end"),
            tag=_TAGS,
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        )
        results: etree._Element | None = None  # the open <Results>
        saw_results = False
        for chunk in self._chunks():
            try:
                parser.feed(chunk)
                events = list(parser.read_events())
            except etree.XMLSyntaxError:
                raise self._errors.malformed(self._what) from None
            rows: list[dict[str, str]] = []
            for event, element in events:
                tag = element.tag
                if tag == "Results":
                    if event == "start" and not saw_results:
                        results, saw_results = element, True
                        yield "total", _count(element)
                    elif event == "end" and element is results:
                        rows += _take(element, len(element))
                        results = None
                elif event == "start":
                    continue
                elif tag == _TOKEN:
                    yield "token", (element.text or "").strip()
                elif tag == _FAULT:
                    raise FaultAnswer(*fault_parts(element))
            if results is not None:  # every row but the last is complete
                rows += _take(results, len(results) - 1)
            if rows:
                yield "rows", rows
        try:
            parser.close()
        except etree.XMLSyntaxError:
            raise self._errors.malformed(self._what) from None
        if not saw_results:
            raise self._errors.not_soap(self._what)
        yield "end", None

    def _chunks(self) -> Iterator[bytes]:
        try:
            yield from self._response.iter_bytes()
        except httpx.HTTPError as exc:
            raise self._errors.transport(exc, self._what) from exc


def _take(results: etree._Element, count: int) -> list[dict[str, str]]:
    """The first `count` rows of <Results> as dicts, then dropped from the tree."""
    if count <= 0:
        return []
    done = results[:count]
    del results[:count]
    return [
        {c.tag: c.text or "" for c in row if type(c.tag) is str}
        for row in done
        if row.tag == "Result"
    ]


def _count(results: etree._Element | None) -> int | None:
    value = None if results is None else results.get("recordReturn")
    try:
        return None if value is None else int(value)
    except ValueError:
        return None
