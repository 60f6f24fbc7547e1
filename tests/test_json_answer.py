"""An AMS's JSON answers (connectors/json_answer): orjson first, the standard library where orjson
is stricter, and whatever was read is text a database can store.

A property test holds it to json.loads on generated documents: the same values, except that a
lone surrogate (valid JSON, unstorable text) reads as U+FFFD. The Personify page at the end
comes from a small real HTTP server, as the sandbox never writes such text (its SQLite data
cannot hold it).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from local_pds import PageHandler, local_pds

from informz_console.connectors.json_answer import loads
from informz_console.connectors.personify_records import to_record

# Text with lone surrogates in it, beside every other code point.
_TEXT = st.text(st.characters(codec=None, categories=None) | st.sampled_from("\ud800\udfff"))
_SCALAR = (st.none() | st.booleans() | st.integers() | _TEXT
           | st.floats(allow_nan=False))  # fmt: skip; NaN != NaN, infinities are kept
_DOCUMENT = st.recursive(
    _SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


def _as_stored(value: object) -> object:
    """What json.loads read, with each lone surrogate replaced (an independent spelling:
    a UTF-16 round trip decodes every whole pair and replaces every half)."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, list):
        return [_as_stored(item) for item in value]
    if isinstance(value, dict):
        return {_as_stored(k): _as_stored(v) for k, v in value.items()}
    return value


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _texts(item)


@settings(max_examples=400, deadline=None)
@given(_DOCUMENT, st.booleans())
def test_reads_what_the_standard_library_reads_in_storable_text(document, ascii_only):
    body = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        expected = json.loads(body)
    except ValueError:  # raw surrogate bytes (ensure_ascii off): not UTF-8, so not JSON either
        with pytest.raises(ValueError):
            loads(body)
        return
    read = loads(body)
    assert read == _as_stored(expected)
    database = sqlite3.connect(":memory:")
    for text in _texts(read):
        database.execute("SELECT ?", (text,))  # raises UnicodeEncodeError on a lone surrogate


@pytest.mark.parametrize("body", [b"", b"<html><body>Service Unavailable</body></html>",
                                  b'{"d": {"results": [', b"\xff\xfe{"])  # fmt: skip
def test_what_is_not_json_raises_value_error(body):
    with pytest.raises(ValueError):
        loads(body)


def test_json_in_utf16_or_after_a_byte_order_mark_is_read_as_the_standard_library_reads_it():
    body = json.dumps({"FirstName": "Zoë"}, ensure_ascii=False).encode("utf-16")
    assert loads(body) == {"FirstName": "Zoë"}
    assert loads(b'\xef\xbb\xbf{"FirstName": "Zo\xc3\xab"}') == {"FirstName": "Zoë"}


@pytest.mark.parametrize("number", [2**63, 2**64, -(2**63) - 1, 10**30, -(10**30)])
def test_an_integer_beyond_64_bits_stays_exact(number):
    """orjson alone reads it as a float, without an error (ijl/orjson#116)."""
    read = loads(f'{{"d": {{"results": [{{"Points": {number}}}]}}}}'.encode())
    assert read["d"]["results"][0]["Points"] == number
    assert isinstance(read["d"]["results"][0]["Points"], int)


def test_a_fallback_given_by_the_caller_reads_what_orjson_refuses():
    assert loads(b"\xe9t\xe9", fallback=lambda: ["latin-1 text \ud800"]) == ["latin-1 text \ufffd"]


# -- a Personify page that orjson refuses, over a real HTTP server ------------------------------

_PAGE = (b'{"d": {"results": [{"MasterCustomerId": "000000000042", "SubCustomerId": 0,'
         b' "PrimaryEmailAddress": "ann@example.org", "FirstName": "Ann\\ud800e",'
         b' "CustomerStatusCode": "ACTIVE", "AllowEmail": true, "AllowSolicitation": true,'
         b' "LoyaltyPoints": 123456789012345678901234567890}]}}')  # fmt: skip


class _Pds(PageHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server hook
        self.answer(_PAGE)


def test_a_personify_page_orjson_refuses_is_read_and_its_text_can_be_stored():
    with local_pds(_Pds) as pds:
        page = pds.page("CustomerInfos", None, "customers")
    record = to_record(page.results[0])
    assert record.first_name == "Ann\ufffde"
    assert record.fields["LoyaltyPoints"] == "123456789012345678901234567890"
    sqlite3.connect(":memory:").execute("SELECT ?", (record.first_name,))
